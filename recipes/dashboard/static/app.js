// The Latchkey dashboard page: plain DOM, no toolkit, no build step. Every string from the API reaches the page
// through textContent or an attribute, never as HTML; the Content-Security-Policy allows this file and nothing inline.
"use strict";

(function () {
  const DASHBOARD = new URL(document.currentScript.src).pathname.replace(/\/assets\/app\.js$/, "");
  const API = DASHBOARD + "/api";
  const KEY_STORAGE = "latchkey-dashboard-key";
  const main = document.getElementById("main");
  let info = null;

  // ---------- DOM ----------

  /** An element with attributes (on* are listeners) and children (strings become text). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else if (name === "text") el.textContent = value;
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  function show(...children) {
    main.replaceChildren(...children);
  }

  function time(ms) {
    return new Date(ms).toLocaleString();
  }

  function cell(label, ...children) {
    return h("td", { "data-label": label }, ...children);
  }

  function errorLine(message) {
    return h("p", { class: "error", role: "alert", text: message });
  }

  // ---------- API ----------

  class ApiError extends Error {
    constructor(status, body) {
      super((body && (body.message || body.status)) || "HTTP " + status);
      this.httpStatus = status;
      this.body = body;
    }
  }

  async function api(method, path, params) {
    const key = sessionStorage.getItem(KEY_STORAGE) || "";
    let url = API + path;
    const init = { method, headers: { authorization: "Bearer " + key }, credentials: "omit", cache: "no-store" };
    if (method === "GET" && params) {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") query.set(k, v);
      url += "?" + query.toString();
    } else if (params) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(params);
    }
    const res = await fetch(url, init);
    const body = await res.json().catch(() => null);
    if (res.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      info = null;
      route();
      throw new ApiError(401, body);
    }
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  }

  /** Runs an action from a button: disables it meanwhile, shows a failure beside it, then re-renders. */
  function action(button, run) {
    return async () => {
      button.disabled = true;
      const old = button.parentElement.querySelector(".error");
      if (old) old.remove();
      try {
        await run();
        route();
      } catch (err) {
        button.disabled = false;
        button.after(errorLine(err.message));
      }
    };
  }

  function readOnlyAttr() {
    return info && info.readOnly ? true : undefined;
  }

  // ---------- views ----------

  function loginView(message) {
    const input = h("input", {
      type: "password",
      id: "api-key",
      name: "api-key",
      autocomplete: "current-password",
      placeholder: "Dashboard API key",
      required: true,
      "aria-label": "Dashboard API key",
    });
    const form = h(
      "form",
      {
        onsubmit: async (event) => {
          event.preventDefault();
          sessionStorage.setItem(KEY_STORAGE, input.value.trim());
          try {
            info = await api("GET", "/info");
            location.hash = "#/users";
            route();
          } catch (err) {
            show(loginView(err.httpStatus === 401 ? "That key was not accepted." : err.message));
          }
        },
      },
      input,
      h("button", { type: "submit", text: "Log in" }),
    );
    return h(
      "section",
      {},
      h("h1", { text: "Log in" }),
      h("p", { class: "muted", text: "Enter the dashboard API key configured in Dashboard.init()." }),
      form,
      message ? errorLine(message) : null,
    );
  }

  async function usersView(params) {
    const field = params.get("field") || "email";
    const term = params.get("q") || "";
    const token = params.get("token") || "";
    const query = { limit: "20", paginationToken: token };
    if (term !== "") query[field] = term;
    const [page, count] = await Promise.all([api("GET", "/users", query), api("GET", "/users/count")]);
    const input = h("input", {
      type: "search",
      name: "q",
      value: term,
      placeholder: "Search (prefix; a;b for either)",
    });
    const select = h(
      "select",
      { name: "field", "aria-label": "Search by" },
      ["email", "phone", "provider"].map((f) => h("option", { value: f, selected: f === field, text: f })),
    );
    const search = h(
      "form",
      {
        role: "search",
        onsubmit: (event) => {
          event.preventDefault();
          const next = new URLSearchParams({ field: select.value, q: input.value.trim() });
          location.hash = "#/users?" + next.toString();
        },
      },
      select,
      input,
      h("button", { type: "submit", text: "Search" }),
    );
    const rows = page.users.map((u) =>
      h(
        "tr",
        {},
        cell(
          "User",
          h("a", { href: "#/user/" + encodeURIComponent(u.id), text: u.emails[0] || u.phoneNumbers[0] || u.id }),
        ),
        cell(
          "Login methods",
          u.loginMethods.map((m) =>
            h("span", { class: "tag", text: m.recipeId + (m.thirdParty ? " (" + m.thirdParty.id + ")" : "") }),
          ),
        ),
        cell("Tenants", u.tenantIds.join(", ")),
        cell("Joined", time(u.timeJoined)),
      ),
    );
    const nav = h("div", { class: "row" });
    if (token !== "")
      nav.append(h("a", { href: "#/users?" + new URLSearchParams({ field, q: term }).toString(), text: "First page" }));
    if (page.nextPaginationToken) {
      const next = new URLSearchParams({ field, q: term, token: page.nextPaginationToken });
      nav.append(h("a", { href: "#/users?" + next.toString(), id: "next-page", text: "Next page" }));
    }
    return h(
      "section",
      {},
      h("h1", { text: "Users" }),
      h("p", { class: "muted", text: count.count + " users in all, newest first" }),
      search,
      rows.length === 0
        ? h("p", { text: "No users found." })
        : h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ["User", "Login methods", "Tenants", "Joined"].map((t) => h("th", { text: t })),
              ),
            ),
            h("tbody", {}, rows),
          ),
      nav,
    );
  }

  async function userView(userId) {
    let detail;
    try {
      detail = await api("GET", "/user", { userId });
    } catch (err) {
      if (err.httpStatus === 404)
        return h("section", {}, h("h1", { text: "No such user" }), h("a", { href: "#/users", text: "Back to users" }));
      throw err;
    }
    const u = detail.user;
    const sections = [
      h(
        "section",
        {},
        h("h1", { text: u.emails[0] || u.phoneNumbers[0] || u.id }),
        h("p", {}, h("span", { class: "muted", text: "User id: " }), h("code", { text: u.id })),
        h("p", {}, h("span", { class: "muted", text: "Joined: " }), time(u.timeJoined)),
        h(
          "p",
          {},
          h("span", { class: "muted", text: "Tenants: " }),
          u.tenantIds.map((t) => h("span", { class: "tag", text: t })),
        ),
      ),
      loginMethodsSection(u),
    ];
    if (detail.sessions) sections.push(sessionsSection(u, detail.sessions));
    if (detail.roles) sections.push(await userRolesSection(u, detail.roles));
    if (detail.metadata) sections.push(metadataSection(u, detail.metadata));
    sections.push(deleteSection(u));
    return h("div", {}, h("p", {}, h("a", { href: "#/users", text: "← Users" })), sections);
  }

  function loginMethodsSection(u) {
    const rows = u.loginMethods.map((m) => {
      const contact = m.email || m.phoneNumber || "";
      let toggle = null;
      if (m.email && info.features.emailVerification) {
        const button = h("button", {
          type: "button",
          class: "secondary",
          disabled: readOnlyAttr(),
          text: m.verified ? "Mark unverified" : "Mark verified",
        });
        button.addEventListener(
          "click",
          action(button, () =>
            api("POST", "/user/email/verified", { userId: u.id, email: m.email, verified: !m.verified }),
          ),
        );
        toggle = button;
      }
      return h(
        "tr",
        {},
        cell("Method", m.recipeId + (m.thirdParty ? " (" + m.thirdParty.id + ")" : "")),
        cell("Contact", contact),
        cell("Verified", m.verified ? "yes" : "no", " ", toggle),
        cell("Joined", time(m.timeJoined)),
      );
    });
    return h(
      "section",
      {},
      h("h2", { text: "Login methods" }),
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Method", "Email or phone", "Verified", "Joined"].map((t) => h("th", { text: t })),
          ),
        ),
        h("tbody", {}, rows),
      ),
    );
  }

  function sessionsSection(u, sessions) {
    const rows = sessions.map((s) => {
      const button = h("button", { type: "button", class: "danger", disabled: readOnlyAttr(), text: "Revoke" });
      button.addEventListener(
        "click",
        action(button, () => api("POST", "/user/session/revoke", { userId: u.id, sessionHandle: s.sessionHandle })),
      );
      return h(
        "tr",
        { "data-session": s.sessionHandle },
        cell("Created", time(s.timeCreated)),
        cell("Expires", time(s.expiry)),
        cell("Tenant", s.tenantId),
        cell("", button),
      );
    });
    return h(
      "section",
      { id: "sessions" },
      h("h2", { text: "Sessions (" + sessions.length + ")" }),
      rows.length === 0
        ? h("p", { class: "muted", text: "No live sessions." })
        : h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ["Created", "Expires", "Tenant", ""].map((t) => h("th", { text: t })),
              ),
            ),
            h("tbody", {}, rows),
          ),
    );
  }

  async function userRolesSection(u, rolesByTenant) {
    const all = (await api("GET", "/roles")).roles;
    const permissionsOf = new Map(all.map((r) => [r.role, r.permissions]));
    const blocks = Object.entries(rolesByTenant).map(([tenantId, roles]) => {
      const tags = roles.map((role) => {
        const remove = h("button", {
          type: "button",
          class: "secondary",
          disabled: readOnlyAttr(),
          "aria-label": "Remove role " + role,
          text: "×",
        });
        remove.addEventListener(
          "click",
          action(remove, () => api("POST", "/user/role/remove", { userId: u.id, role, tenantId })),
        );
        return h(
          "span",
          { class: "tag" },
          role,
          " ",
          h("span", { class: "muted", text: (permissionsOf.get(role) || []).join(", ") }),
          " ",
          remove,
        );
      });
      const select = h(
        "select",
        { name: "role", "aria-label": "Role to add" },
        all.filter((r) => !roles.includes(r.role)).map((r) => h("option", { value: r.role, text: r.role })),
      );
      const add = h("button", {
        type: "submit",
        disabled: readOnlyAttr() || select.options.length === 0 ? true : undefined,
        text: "Add role",
      });
      const form = h("form", { onsubmit: (event) => event.preventDefault() }, select, add);
      add.addEventListener(
        "click",
        action(add, () => api("POST", "/user/role/add", { userId: u.id, role: select.value, tenantId })),
      );
      return h(
        "div",
        {},
        h(
          "p",
          {},
          h("span", { class: "muted", text: "Tenant " + tenantId + ": " }),
          tags.length ? tags : h("span", { class: "muted", text: "no roles" }),
        ),
        form,
      );
    });
    return h("section", { id: "roles" }, h("h2", { text: "Roles and permissions" }), blocks);
  }

  function metadataSection(u, metadata) {
    const area = h("textarea", { "aria-label": "Metadata (JSON)", spellcheck: "false", readonly: readOnlyAttr() });
    area.value = JSON.stringify(metadata, null, 2);
    const save = h("button", { type: "button", disabled: readOnlyAttr(), text: "Save metadata" });
    save.addEventListener(
      "click",
      action(save, () => {
        let parsed;
        try {
          parsed = JSON.parse(area.value);
        } catch {
          return Promise.reject(new Error("not valid JSON"));
        }
        return api("POST", "/user/metadata", { userId: u.id, metadata: parsed });
      }),
    );
    return h("section", {}, h("h2", { text: "Metadata" }), area, h("div", { class: "row" }, save));
  }

  function deleteSection(u) {
    const start = h("button", { type: "button", class: "danger", disabled: readOnlyAttr(), text: "Delete user…" });
    const box = h("div", { class: "row" }, start);
    start.addEventListener("click", () => {
      const confirm = h("button", {
        type: "button",
        class: "danger",
        text: "Yes, delete this user and all their data",
      });
      const cancel = h("button", {
        type: "button",
        class: "secondary",
        text: "Cancel",
        onclick: () => box.replaceChildren(start),
      });
      confirm.addEventListener(
        "click",
        action(confirm, async () => {
          await api("POST", "/user/delete", { userId: u.id });
          location.hash = "#/users";
        }),
      );
      box.replaceChildren(confirm, cancel);
    });
    return h("section", {}, h("h2", { text: "Delete" }), box);
  }

  async function rolesView() {
    const roles = (await api("GET", "/roles")).roles;
    const name = h("input", { name: "role", placeholder: "Role", required: true, "aria-label": "Role" });
    const perms = h("input", {
      name: "permissions",
      placeholder: "Permissions, comma-separated",
      "aria-label": "Permissions",
    });
    const create = h("button", { type: "submit", disabled: readOnlyAttr(), text: "Create or add permissions" });
    const form = h("form", {}, name, perms, create);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const permissions = perms.value
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
      void action(create, () => api("POST", "/role/create", { role: name.value.trim(), permissions }))();
    });
    const rows = roles.map((r) => {
      const remove = h("button", { type: "button", class: "danger", disabled: readOnlyAttr(), text: "Delete" });
      remove.addEventListener(
        "click",
        action(remove, () => api("POST", "/role/delete", { role: r.role })),
      );
      return h(
        "tr",
        {},
        cell("Role", r.role),
        cell(
          "Permissions",
          r.permissions.map((p) => h("span", { class: "tag", text: p })),
        ),
        cell("", remove),
      );
    });
    return h(
      "section",
      {},
      h("h1", { text: "Roles" }),
      form,
      rows.length === 0
        ? h("p", { class: "muted", text: "No roles yet." })
        : h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ["Role", "Permissions", ""].map((t) => h("th", { text: t })),
              ),
            ),
            h("tbody", {}, rows),
          ),
    );
  }

  async function auditView(params) {
    const token = params.get("token") || "";
    const page = await api("GET", "/audit", { limit: "50", paginationToken: token });
    const rows = page.entries.map((e) =>
      h(
        "tr",
        {},
        cell("When", time(e.time)),
        cell("Who", e.actor),
        cell("What", e.action),
        cell("Target", e.target || ""),
        cell("Detail", JSON.stringify(e.detail)),
      ),
    );
    const nav = h("div", { class: "row" });
    if (token !== "") nav.append(h("a", { href: "#/audit", text: "Newest" }));
    if (page.nextPaginationToken)
      nav.append(
        h("a", {
          href: "#/audit?" + new URLSearchParams({ token: page.nextPaginationToken }).toString(),
          text: "Older",
        }),
      );
    return h(
      "section",
      {},
      h("h1", { text: "Audit log" }),
      rows.length === 0
        ? h("p", { class: "muted", text: "Nothing done yet." })
        : h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ["When", "Who", "What", "Target", "Detail"].map((t) => h("th", { text: t })),
              ),
            ),
            h("tbody", {}, rows),
          ),
      nav,
    );
  }

  // ---------- routing ----------

  async function route() {
    const nav = document.getElementById("nav");
    if (!sessionStorage.getItem(KEY_STORAGE)) {
      nav.hidden = true;
      show(loginView());
      return;
    }
    try {
      info = info || (await api("GET", "/info"));
      nav.hidden = false;
      document.getElementById("nav-roles").hidden = !info.features.roles;
      const [path, query] = location.hash.replace(/^#/, "").split("?");
      const params = new URLSearchParams(query || "");
      let view;
      if (path.startsWith("/user/")) view = await userView(decodeURIComponent(path.slice("/user/".length)));
      else if (path === "/roles") view = await rolesView();
      else if (path === "/audit") view = await auditView(params);
      else view = await usersView(params);
      show(view);
    } catch (err) {
      if (err.httpStatus === 401) show(loginView("That key was not accepted."));
      else show(h("section", {}, errorLine(err.message)));
    }
  }

  document.getElementById("logout").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    info = null;
    location.hash = "";
    route();
  });
  window.addEventListener("hashchange", route);
  route();
})();
