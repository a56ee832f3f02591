// Shared by every page: configuration, messages, the API token and calls to the JSON API.
const TOKEN_KEY = "tsunagu.token";
const WHO_KEY = "tsunagu.who";

export const config = JSON.parse(document.getElementById("tsunagu-config").textContent);
const messages = JSON.parse(document.getElementById("tsunagu-messages").textContent);

/** The UI string `key`, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function who() {
  try { return JSON.parse(sessionStorage.getItem(WHO_KEY) || "null"); } catch { return null; }
}
export function signIn(tok, principal) {
  sessionStorage.setItem(TOKEN_KEY, tok);
  sessionStorage.setItem(WHO_KEY, JSON.stringify(principal));
}
export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(WHO_KEY);
}

/** An API error carrying the problem+json body. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** Call the JSON API: `path` under the API prefix; `body` is sent as JSON. */
export async function api(path, { method = "GET", body, headers = {}, tok } = {}) {
  const h = { Accept: "application/json", ...headers };
  const use = tok ?? token();
  if (use) h.Authorization = `Bearer ${use}`;
  if (body !== undefined) h["Content-Type"] = "application/json";
  const resp = await fetch(config.api + path, {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

/** A fresh Idempotency-Key for one booking attempt. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

let flashTimer = null;
/** Show a short message at the top of the page (`kind`: info, ok, error). */
export function flash(text, kind = "info") {
  const el = document.getElementById("flash");
  el.textContent = text;
  el.className = `flash flash-${kind}`;
  el.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { el.hidden = true; }, kind === "error" ? 8000 : 4000);
}

/** The message of an error for the user (the problem's detail when there is one). */
export function explain(err) {
  if (err instanceof ApiError) {
    if (err.status === 401) return t("error.signin");
    return err.problem.detail || err.problem.title || t("error.generic");
  }
  return t("error.generic");
}

/** Send the user to the sign-in page unless they hold a token of `role` (admin passes). */
export function requireRole(role) {
  const p = who();
  if (!token() || !p) {
    location.href = `${config.login}?next=${encodeURIComponent(location.pathname)}`;
    return false;
  }
  if (role && p.role !== role && p.role !== "admin") {
    flash(t("error.role", { role: t(`role.${role}`) }), "error");
    return false;
  }
  return true;
}

/** "HH:MM" of an ISO time or of seconds after midnight. */
export function hhmm(x) {
  if (typeof x === "number") {
    const h = Math.floor(x / 3600), m = Math.floor((x % 3600) / 60);
    return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
  }
  return String(x).length > 16 ? String(x).substring(11, 16) : String(x).substring(0, 5);
}

/** The first part of a long id, for tables (the whole id goes in a title). */
export function shortId(id) { return String(id).length > 12 ? String(id).substring(0, 8) : String(id); }

/** Escape text for HTML. */
export function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function header() {
  const p = who();
  const whoEl = document.getElementById("who");
  const signin = document.getElementById("signin");
  const signout = document.getElementById("signout");
  if (p && token()) {
    whoEl.textContent = `${t("login.as")}: ${p.name} (${t(`role.${p.role}`)})`;
    whoEl.hidden = false;
    signin.hidden = true;
    signout.hidden = false;
  }
  // links for some roles only (the planner page: planners and admins)
  document.querySelectorAll(".mainnav a[data-roles]").forEach((a) => {
    if (p && token() && a.dataset.roles.split(" ").includes(p.role)) a.hidden = false;
  });
  signout.addEventListener("click", () => { signOut(); location.href = config.login; });
  // keep the query string's other parameters when switching language
  document.querySelectorAll(".langswitch a").forEach((a) => {
    const u = new URL(location.href);
    u.searchParams.set("lang", a.dataset.lang);
    a.href = u.pathname + u.search;
  });
}

header();
