// The dispatcher's live board: vehicles, ride requests and each run's plan, polled.
import { ROUTE_COLOURS, createMap } from "./map.js";
import { api, esc, explain, flash, hhmm, requireRole, shortId, t } from "./session.js";

const POLL_MS = 5000;
const $ = (id) => document.getElementById(id);
let mapState = null;
let live = null;
let board = null;
const colourOf = {};

function vehicleColour(id) {
  if (!(id in colourOf)) colourOf[id] = ROUTE_COLOURS[Object.keys(colourOf).length % ROUTE_COLOURS.length];
  return colourOf[id];
}

function drawMap() {
  const { map } = mapState;
  if (live) live.remove();
  live = L.featureGroup().addTo(map);
  for (const run of board.runs) {
    if (!run.stops.length) continue;
    const pts = run.stops.map((s) => [s.lat, s.lon]);
    L.polyline(pts, { color: vehicleColour(run.vehicleId), weight: 4, opacity: 0.85, dashArray: "8 6", className: "run-plan" })
      .bindTooltip(esc(run.runId)).addTo(live);
  }
  for (const b of board.requests) {
    if (!["booked", "assigned", "en_route", "picked_up"].includes(b.status)) continue;
    L.circleMarker([b.pickup.lat, b.pickup.lon], { radius: 6, weight: 2, color: "#166534", fillColor: "#22c55e", fillOpacity: 1, className: "request request-pickup" })
      .bindTooltip(`${esc(b.id)} ${esc(t("board.pickup"))} ${hhmm(b.offer.pickupEarliest)}–${hhmm(b.offer.pickupLatest)}`).addTo(live);
    L.circleMarker([b.dropoff.lat, b.dropoff.lon], { radius: 6, weight: 2, color: "#991b1b", fillColor: "#f87171", fillOpacity: 1, className: "request request-dropoff" })
      .bindTooltip(`${esc(b.id)} ${esc(t("board.dropoff"))} ${hhmm(b.offer.dropoffEta)}`).addTo(live);
  }
  // vehicles last (on top); those sharing a place (the depot) are fanned out
  const seen = {};
  for (const v of board.vehicles) {
    const at = v.position ? [v.position.lat, v.position.lon] : [v.depot.lat, v.depot.lon];
    const key = at.map((x) => x.toFixed(4)).join(",");
    const k = (seen[key] = (seen[key] ?? -1) + 1);
    const icon = L.divIcon({ className: "veh-icon", iconSize: [26, 26],
      iconAnchor: [13, 13 - 28 * k],
      html: `<span style="background:${vehicleColour(v.id)}">${esc(v.id.slice(-2))}</span>` });
    L.marker(at, { icon, title: v.id, zIndexOffset: 1000 })
      .bindTooltip(`${esc(v.id)} · ${esc(t(`vstate.${v.status}`))}`).addTo(live);
  }
}

function renderVehicles() {
  $("vehicles-table").querySelector("tbody").innerHTML = board.vehicles.map((v) => `<tr data-id="${esc(v.id)}">
    <td class="nowrap"><span class="swatch" style="background:${vehicleColour(v.id)}"></span>${esc(v.id)}</td>
    <td>${esc(v.model)}</td><td class="num">${v.seats}</td>
    <td class="nowrap"><span class="vstate vstate-${esc(v.status)}">${esc(t(`vstate.${v.status}`))}</span></td>
    <td class="small">${v.position ? `${v.position.lat.toFixed(4)}, ${v.position.lon.toFixed(4)}` : `<span class="muted">${esc(t("board.no_position"))}</span>`}</td></tr>`).join("");
}

function renderPlans() {
  const riderOf = Object.fromEntries(board.requests.map((b) => [b.id, b.riderId]));
  const runs = board.runs.filter((r) => r.stops.length || r.problem);
  $("plans").innerHTML = runs.length ? runs.map((r) => `<div class="plan" data-run="${esc(r.runId)}">
      <div class="plan-head"><span class="swatch" style="background:${vehicleColour(r.vehicleId)}"></span>
        <strong>${esc(r.vehicleId)}</strong> <span class="muted small">${esc(r.runId)} · ${hhmm(r.start)}–${hhmm(r.end)} · ${esc(t("board.seats_left"))} ${r.seatsLeft}/${r.capacitySeats}</span>
        <button type="button" class="btn btn-small reopt" data-run="${esc(r.runId)}">${esc(t("board.reoptimize"))}</button></div>
      ${r.problem ? `<p class="error small">${esc(r.problem)}</p>` : ""}
      <ol class="eta">${r.stops.map((s) => `<li><time>${hhmm(s.time)}</time> <span class="kind kind-${esc(s.kind)}">${esc(t(`board.${s.kind}`))}</span> <span class="mono small" title="${esc(s.bookingId)}">${esc(shortId(s.bookingId))}</span> ${esc(riderOf[s.bookingId] || "")}</li>`).join("")}</ol>
    </div>`).join("") : `<p class="muted">${esc(t("board.no_plans"))}</p>`;
  document.querySelectorAll(".reopt").forEach((b) => b.addEventListener("click", () => reoptimize(b.dataset.run, b)));
}

function renderRequests() {
  const rows = board.requests.slice().reverse();
  const runsByVehicle = board.runs;
  $("requests-table").querySelector("tbody").innerHTML = rows.length ? rows.map((b) => {
    const movable = ["booked", "assigned"].includes(b.status);
    const options = runsByVehicle.filter((r) => r.runId !== b.offer.runId && r.runId.split("@")[0].split("-").slice(0, -1).join("-") === b.offer.vehicleId.split("-").slice(0, -1).join("-"))
      .map((r) => `<option value="${esc(r.runId)}">${esc(r.runId)}</option>`).join("");
    return `<tr data-id="${esc(b.id)}" class="req req-${esc(b.status)}">
      <td class="mono small" title="${esc(b.id)}">${esc(shortId(b.id))}</td><td>${esc(b.riderId)}</td>
      <td><span class="status status-${esc(b.status)}">${esc(t(`status.${b.status}`))}</span></td>
      <td>${hhmm(b.offer.pickupEarliest)}–${hhmm(b.offer.pickupLatest)}</td>
      <td>${b.plannedPickup ? hhmm(b.plannedPickup) : "—"}</td><td>${hhmm(b.offer.dropoffEta)}</td>
      <td class="small run">${esc(b.offer.runId)}</td>
      <td>${movable && options ? `<select class="reassign-to" aria-label="${esc(t("board.reassign_to"))}">${options}</select>
        <button type="button" class="btn btn-small reassign" data-id="${esc(b.id)}">${esc(t("board.reassign"))}</button>` : ""}</td></tr>`;
  }).join("") : `<tr><td colspan="8" class="muted">${esc(t("board.no_requests"))}</td></tr>`;
  document.querySelectorAll(".reassign").forEach((b) => b.addEventListener("click", () => {
    const run = b.closest("tr").querySelector(".reassign-to").value;
    reassign(b.dataset.id, run, b);
  }));
}

async function refresh() {
  try {
    board = await api("/board");
    drawMap();
    renderVehicles();
    renderPlans();
    renderRequests();
    $("updated").textContent = new Date().toLocaleTimeString(document.documentElement.lang);
    document.body.dataset.requests = String(board.requests.length);
  } catch (err) {
    flash(explain(err), "error");
  }
}

async function reoptimize(runId, button) {
  button.disabled = true;
  try {
    const r = await api("/dispatch/reoptimize", { method: "POST", body: { runId, timeLimitS: 2 } });
    flash(r.adopted ? `${t("board.reoptimized")}: ${runId}` : t("board.not_adopted"), "ok");
    await refresh();
  } catch (err) { flash(explain(err), "error"); } finally { button.disabled = false; }
}

async function reassign(bookingId, runId, button) {
  const note = prompt(t("board.note"));
  if (!note) return;
  button.disabled = true;
  try {
    await api("/dispatch/reassign", { method: "POST", body: { bookingId, runId, note } });
    flash(`${t("board.reassigned")}: ${bookingId} → ${runId}`, "ok");
    await refresh();
  } catch (err) { flash(explain(err), "error"); } finally { button.disabled = false; }
}

async function main() {
  if (!requireRole("dispatcher")) return;
  mapState = await createMap("map", { fit: "zones" });
  await refresh();
  document.body.dataset.ready = "1";
  setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
}

main().catch((err) => { console.error(err); flash(explain(err), "error"); });
