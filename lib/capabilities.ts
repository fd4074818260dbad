import { LatchkeyError } from "./error";

/**
 * A typed seam between recipes. A recipe provides values under a key (in its recipe.ts); another asks the registry
 * for every provider of the key, or the one it needs. Recipes never look each other up by id or by duck typing, so
 * adding a recipe adds providers and consumers, never an edit to another recipe.
 */
export class Capability<T> {
  /** Never set: carries the provided type, so `all(key)` returns `T[]` without a cast. */
  declare readonly valueType: T;

  /**
   * A key named for messages; `needs` completes "the notes recipe needs ..." when no recipe provides it
   * (e.g. "the session recipe: add Session.init() to recipeList").
   */
  constructor(
    readonly name: string,
    readonly needs: string,
  ) {}
}

/** One value a recipe offers under a key; build it with `provide(key, value)` so the two types agree. */
export interface Provision {
  readonly key: Capability<unknown>;
  readonly value: unknown;
}

/** Pairs a key with the value a recipe offers for it. */
export function provide<T>(key: Capability<T>, value: T): Provision {
  return { key: key as Capability<unknown>, value };
}

/** What recipes ask for capabilities through; answers only once every recipe of the list has been built. */
export interface Capabilities {
  /** Every provider of the key, in recipe-list order (empty when none). */
  all<T>(key: Capability<T>): readonly T[];
  /** The first provider of the key, or undefined. */
  optional<T>(key: Capability<T>): T | undefined;
  /** The first provider of the key, or a NOT_INITIALISED error naming the recipe to add. */
  required<T>(key: Capability<T>): T;
}

/** The registry Latchkey.init fills: recipes get it at construction and ask it lazily, once the list is sealed. */
export class CapabilityRegistry implements Capabilities {
  private byKey: Map<Capability<unknown>, unknown[]> | undefined;

  /** Records every recipe's provisions; after this the registry answers. */
  seal(provisions: readonly Provision[]): void {
    const byKey = new Map<Capability<unknown>, unknown[]>();
    for (const { key, value } of provisions) byKey.set(key, [...(byKey.get(key) ?? []), value]);
    this.byKey = byKey;
  }

  /** True once seal() has run. */
  isSealed(): boolean {
    return this.byKey !== undefined;
  }

  all<T>(key: Capability<T>): readonly T[] {
    if (this.byKey === undefined) {
      throw new LatchkeyError(
        "NOT_INITIALISED",
        `capability ${key.name} was asked for while Latchkey.init() was still building the recipe list; ask for it lazily`,
      );
    }
    return (this.byKey.get(key as Capability<unknown>) ?? []) as T[];
  }

  optional<T>(key: Capability<T>): T | undefined {
    return this.all(key)[0];
  }

  required<T>(key: Capability<T>): T {
    const found = this.optional(key);
    if (found === undefined) throw new LatchkeyError("NOT_INITIALISED", `Latchkey needs ${key.needs}`);
    return found;
  }
}
