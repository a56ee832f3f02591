// Sign-in: check the token against the API, keep it in sessionStorage, go back.
import { api, signIn, t } from "./session.js";

const form = document.getElementById("login-form");
const input = document.getElementById("token");
const error = document.getElementById("login-error");
const button = document.getElementById("login-submit");

async function whoAmI(tok) {
  const me = await api("/session", { tok });
  return { name: me.name, role: me.role, riderId: me.riderId, vehicleId: me.vehicleId };
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  error.hidden = true;
  button.disabled = true;
  button.textContent = t("login.checking");
  const tok = input.value.trim();
  try {
    const principal = await whoAmI(tok);
    signIn(tok, principal);
    const next = new URLSearchParams(location.search).get("next");
    const home = principal.role === "dispatcher" || principal.role === "admin"
      ? "/dispatcher" : principal.role === "planner" ? "/planner" : "/resident";
    location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : home;
  } catch {
    error.textContent = t("login.invalid");
    error.hidden = false;
  } finally {
    button.disabled = false;
    button.textContent = t("login.submit");
  }
});
