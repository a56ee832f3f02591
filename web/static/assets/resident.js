// The resident's trip planner: places by stop search or map click, itineraries drawn
// leg by leg, booking of on-demand rides, and "my bookings".
import { MODE_COLOURS, createMap, decodePolyline } from "./map.js";
import { api, esc, explain, flash, hhmm, newKey, requireRole, shortId, t, who } from "./session.js";

const places = { from: null, to: null };
const markers = { from: null, to: null };
let picking = null;
let mapState = null;
let itinLayer = null;
let itineraries = [];

const $ = (id) => document.getElementById(id);

function placeValue(p) { return p.stopId ? `stop:${p.stopId}` : `${p.lat.toFixed(6)},${p.lon.toFixed(6)}`; }

function setPlace(end, p) {
  places[end] = p;
  $(`${end}-input`).value = p.label;
  $(`${end}-suggest`).hidden = true;
  const { map } = mapState;
  if (markers[end]) markers[end].remove();
  markers[end] = L.circleMarker([p.lat, p.lon], {
    radius: 8, weight: 3, color: "#fff", fillColor: end === "from" ? "#16a34a" : "#dc2626",
    fillOpacity: 1, className: `place-${end}`,
  }).bindTooltip(`${t(`plan.${end}`)}: ${esc(p.label)}`).addTo(map);
  if (end === "from") $("ride-from").textContent = p.stopId ? "—" : p.label;
}

function pointLabel(lat, lon) { return `${t("plan.point")} ${lat.toFixed(5)}, ${lon.toFixed(5)}`; }

// -- stop search ------------------------------------------------------------------------
function wireSearch(end) {
  const input = $(`${end}-input`);
  const list = $(`${end}-suggest`);
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    places[end] = null;
    const q = input.value.trim();
    if (!q) { list.hidden = true; return; }
    timer = setTimeout(async () => {
      try {
        const { stops } = await api(`/stops?q=${encodeURIComponent(q)}&limit=8`);
        list.innerHTML = stops.length ? stops.map((s, i) =>
          `<li><button type="button" data-i="${i}"><span class="stop-ico">●</span>${esc(s.name)} <span class="muted small">${esc(s.id)}</span></button></li>`).join("")
          : `<li class="muted">${esc(t("plan.no_stops"))}</li>`;
        list.hidden = false;
        list.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => {
          const s = stops[Number(b.dataset.i)];
          setPlace(end, { label: s.name, stopId: s.id, lat: s.lat, lon: s.lon });
          mapState.map.panTo([s.lat, s.lon]);
        }));
      } catch (err) { flash(explain(err), "error"); }
    }, 200);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") list.hidden = true;
    if (ev.key === "Enter" && !list.hidden) {
      const first = list.querySelector("button");
      if (first) { ev.preventDefault(); first.click(); }
    }
  });
  input.addEventListener("blur", () => setTimeout(() => { list.hidden = true; }, 200));
}

// -- planning ---------------------------------------------------------------------------
const COORDS = /^-?\d+(\.\d+)?,\s*-?\d+(\.\d+)?$/;
/** A leg end's name; the planner names a door by its coordinates. */
function placeName(p) { return !p.stopId && COORDS.test(p.name) ? t("plan.point") : p.name; }

function legLabel(leg) {
  if (leg.mode === "WALK") return t("mode.WALK");
  if (leg.mode === "ON_DEMAND") return t("mode.ON_DEMAND");
  return `${t(`mode.${leg.mode}`)} ${leg.routeShortName || leg.route || ""}`;
}

function drawItinerary(i) {
  const { map } = mapState;
  if (itinLayer) itinLayer.remove();
  itinLayer = L.featureGroup().addTo(map);
  const it = itineraries[i];
  for (const leg of it.legs) {
    const pts = decodePolyline(leg.legGeometry?.points || "");
    if (pts.length < 2) continue;
    const colour = MODE_COLOURS[leg.mode] || "#0b6bcb";
    if (leg.mode !== "WALK") {
      L.polyline(pts, { color: "#fff", weight: 9, opacity: 0.9, interactive: false }).addTo(itinLayer);
    }
    L.polyline(pts, {
      color: colour, weight: leg.mode === "WALK" ? 4 : 6, opacity: 0.95,
      dashArray: leg.mode === "WALK" ? "1 8" : leg.mode === "ON_DEMAND" ? "10 6" : null,
      lineCap: "round", className: `itin-leg itin-mode-${leg.mode}`,
    }).bindTooltip(`${esc(legLabel(leg))} ${hhmm(leg.startTimeIso)}–${hhmm(leg.endTimeIso)}`, { sticky: true })
      .addTo(itinLayer);
    if (leg.transitLeg) {
      for (const end of [leg.from, leg.to]) {
        L.circleMarker([end.lat, end.lon], { radius: 5, color: colour, weight: 3, fillColor: "#fff", fillOpacity: 1 })
          .bindTooltip(esc(placeName(end))).addTo(itinLayer);
      }
    }
  }
  map.fitBounds(itinLayer.getBounds(), { padding: [40, 40], maxZoom: 15, animate: false });
  document.querySelectorAll("#itineraries > li").forEach((li, k) => li.classList.toggle("selected", k === i));
}

function legDetail(leg, i, k) {
  const colour = MODE_COLOURS[leg.mode] || "#0b6bcb";
  const mins = Math.round(leg.duration / 60);
  let body = `<div class="leg-head"><span class="chip" style="background:${colour}">${esc(legLabel(leg))}</span>
    <span class="leg-time">${hhmm(leg.startTimeIso)} → ${hhmm(leg.endTimeIso)}</span> <span class="muted">${mins}${esc(t("plan.minutes"))}</span></div>
    <div class="leg-places">${esc(placeName(leg.from))} → ${esc(placeName(leg.to))}</div>`;
  if (leg.mode === "BUS" && leg.headsign) {
    body += `<div class="muted small">${esc(leg.headsign)} ${esc(t("leg.towards"))} · ${(leg.intermediateStops || []).length + 1} ${esc(t("leg.stops"))}</div>`;
  }
  if (leg.mode === "ON_DEMAND") {
    const w = leg.bookingInfo?.pickupWindow;
    if (w) body += `<div class="small">${esc(t("leg.pickup_window"))} ${hhmm(w.startIso)}–${hhmm(w.endIso)}</div>`;
    body += `<button type="button" class="btn btn-accent btn-small book-leg" data-i="${i}" data-k="${k}">${esc(t("book.button"))}</button>`;
  }
  return `<li class="leg leg-${leg.mode}">${body}</li>`;
}

function renderItineraries() {
  const ol = $("itineraries");
  $("results-card").hidden = false;
  if (!itineraries.length) {
    ol.innerHTML = `<li class="muted">${esc(t("plan.none"))}</li>`;
    if (itinLayer) itinLayer.remove();
    return;
  }
  ol.innerHTML = itineraries.map((it, i) => {
    const chips = it.legs.filter((l) => l.mode !== "WALK" || l.duration >= 60).map((l) =>
      `<span class="chip" style="background:${MODE_COLOURS[l.mode] || "#0b6bcb"}">${esc(l.mode === "WALK" ? t("mode.WALK") : (l.routeShortName || t(`mode.${l.mode}`)))}</span>`).join('<span class="sep">›</span>');
    return `<li class="itinerary" data-i="${i}">
      <button type="button" class="itin-summary" data-i="${i}">
        <span class="itin-times">${hhmm(it.startTimeIso)} → ${hhmm(it.endTimeIso)}</span>
        <span class="itin-duration">${Math.round(it.duration / 60)}${esc(t("plan.minutes"))}</span>
        <span class="itin-chips">${chips}</span>
        <span class="muted small">${esc(t("plan.transfers"))} ${it.transfers} · ${esc(t("plan.walk"))} ${Math.round(it.walkTime / 60)}${esc(t("plan.minutes"))}</span>
      </button>
      <ol class="legs">${it.legs.map((l, k) => legDetail(l, i, k)).join("")}</ol>
    </li>`;
  }).join("");
  ol.querySelectorAll(".itin-summary").forEach((b) => b.addEventListener("click", () => drawItinerary(Number(b.dataset.i))));
  ol.querySelectorAll(".book-leg").forEach((b) => b.addEventListener("click", () =>
    bookLeg(itineraries[Number(b.dataset.i)].legs[Number(b.dataset.k)], b)));
  drawItinerary(0);
}

async function plan(ev) {
  ev.preventDefault();
  for (const end of ["from", "to"]) {
    if (!places[end]) {
      flash(t("plan.need_places"), "error");
      return;
    }
  }
  const arrive = document.querySelector('input[name="when"]:checked').value === "arrive";
  const q = new URLSearchParams({ from: placeValue(places.from), to: placeValue(places.to),
    time: $("time-input").value, arriveBy: String(arrive) });
  const btn = $("plan-submit");
  btn.disabled = true;
  btn.textContent = t("plan.searching");
  try {
    const res = await api(`/plan?${q}`);
    itineraries = res.plan.itineraries || [];
    renderItineraries();
  } catch (err) {
    flash(explain(err), "error");
  } finally {
    btn.disabled = false;
    btn.textContent = t("plan.submit");
  }
}

// -- booking ----------------------------------------------------------------------------
function placeIn(p) { return p.stopId ? { stopId: p.stopId } : { lat: p.lat, lon: p.lon }; }
function clockOf(iso) { return String(iso).substring(11, 19); }

async function book(body, button) {
  if (button) button.disabled = true;
  try {
    const b = await api("/bookings", { method: "POST", body, headers: { "Idempotency-Key": newKey() } });
    flash(`${t("book.done")}: ${b.offer.vehicleId} ${hhmm(b.offer.pickupEarliest)}–${hhmm(b.offer.pickupLatest)}`, "ok");
    await loadBookings();
    return b;
  } catch (err) {
    flash(err.status === 409 ? `${t("book.refused")} — ${explain(err)}` : explain(err), "error");
    return null;
  } finally {
    if (button) button.disabled = false;
  }
}

// Seconds after the service day's midnight of "HH:MM[:SS]", and back (hours may pass 24).
function clockSeconds(clock) {
  const [h, m, s] = String(clock).split(":").map(Number);
  return h * 3600 + m * 60 + (s || 0);
}
function clockText(seconds) {
  const two = (n) => String(n).padStart(2, "0");
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}

// The leg's drop-off deadline (bookingInfo.latestDropoff, epoch ms: the bus's departure
// minus the transfer buffer) as a service-day clock, counted from the pickup window's
// start so no time zone is involved; rounded down, never later than the leg says.
function latestDropoffOf(info) {
  const w = info.pickupWindow;
  if (info.latestDropoff == null || w?.start == null) return undefined;
  return clockText(clockSeconds(clockOf(w.startIso)) + Math.floor((info.latestDropoff - w.start) / 1000));
}

function bookLeg(leg, button) {
  const w = leg.bookingInfo.pickupWindow;
  const end = (x) => (x.stopId ? { stopId: x.stopId } : { lat: x.lat, lon: x.lon });
  const body = { pickup: end(leg.from), dropoff: end(leg.to),
    earliestPickup: clockOf(w.startIso), latestPickup: clockOf(w.endIso) };
  const deadline = latestDropoffOf(leg.bookingInfo);
  if (deadline) body.latestDropoff = deadline;
  return book(body, button);
}

function rideBody() {
  const hub = $("ride-hub").value;
  return { pickup: placeIn(places.from), dropoff: { stopId: hub },
    earliestPickup: $("ride-earliest").value, latestPickup: $("ride-latest").value };
}

async function quoteRide(ev) {
  ev.preventDefault();
  const box = $("offer");
  if (!places.from) { flash(t("plan.need_places"), "error"); return; }
  const body = rideBody();
  try {
    const q = await api("/quotes", { method: "POST", body });
    const o = q.quote.offer;
    box.innerHTML = `<h3>${esc(t("book.offer"))}</h3>
      <dl><dt>${esc(t("leg.pickup_window"))}</dt><dd>${hhmm(o.pickupEarliest)}–${hhmm(o.pickupLatest)}</dd>
      <dt>${esc(t("book.dropoff_eta"))}</dt><dd>${hhmm(o.dropoffEta)}</dd>
      <dt>${esc(t("book.vehicle"))}</dt><dd>${esc(o.vehicleId)}</dd></dl>
      <button type="button" class="btn btn-accent" id="ride-confirm">${esc(t("book.confirm"))}</button>`;
    box.hidden = false;
    $("ride-confirm").addEventListener("click", async (e) => {
      const b = await book({ ...body, quoteId: q.quote.id }, e.currentTarget);
      if (b) box.hidden = true;
    });
  } catch (err) {
    box.hidden = true;
    flash(err.status === 409 ? `${t("book.refused")} — ${explain(err)}` : explain(err), "error");
  }
}

async function loadBookings() {
  const ul = $("my-bookings");
  if (who()?.role !== "resident") return;
  try {
    const { bookings } = await api("/me/bookings");
    const shown = bookings.filter((b) => b.status !== "quoted").reverse();
    ul.innerHTML = shown.length ? shown.map((b) => `<li class="booking" data-id="${esc(b.id)}">
      <div><span class="status status-${esc(b.status)}">${esc(t(`status.${b.status}`))}</span>
      <strong>${hhmm(b.offer.pickupEarliest)}–${hhmm(b.offer.pickupLatest)}</strong>
      → ${hhmm(b.offer.dropoffEta)}<div class="muted small">${esc(b.offer.vehicleId)} · <span title="${esc(b.id)}">${esc(shortId(b.id))}</span></div></div>
      ${["booked", "assigned"].includes(b.status) ? `<button type="button" class="btn btn-small btn-danger cancel nowrap" data-id="${esc(b.id)}">${esc(t("mine.cancel"))}</button>` : ""}
    </li>`).join("") : `<li class="muted">${esc(t("mine.none"))}</li>`;
    ul.querySelectorAll(".cancel").forEach((btn) => btn.addEventListener("click", async () => {
      if (!confirm(t("mine.cancel_confirm"))) return;
      try {
        await api(`/bookings/${encodeURIComponent(btn.dataset.id)}/cancel`, { method: "POST", body: {} });
        await loadBookings();
      } catch (err) { flash(explain(err), "error"); }
    }));
  } catch (err) { flash(explain(err), "error"); }
}

// -- start ------------------------------------------------------------------------------
async function main() {
  if (!requireRole(null)) return;
  mapState = await createMap("map");
  const { map, network } = mapState;
  const hubs = network.features.filter((f) => f.properties.layer === "zone").flatMap((f) =>
    f.properties.hubs.map((h) => ({ ...h, zone: f.properties.name })));
  $("ride-hub").innerHTML = hubs.map((h) => `<option value="${esc(h.stopId)}">${esc(h.name)} (${esc(h.zone)})</option>`).join("");
  wireSearch("from");
  wireSearch("to");
  document.querySelectorAll(".pick").forEach((b) => b.addEventListener("click", () => {
    picking = b.dataset.end;
    map.getContainer().classList.add("picking");
    flash(`${t(`plan.${picking}`)}: ${t("plan.picking")}`);
  }));
  map.on("click", (e) => {
    const end = picking || (!places.from ? "from" : !places.to ? "to" : null);
    if (!end) return;
    picking = null;
    map.getContainer().classList.remove("picking");
    document.getElementById("flash").hidden = true;
    setPlace(end, { label: pointLabel(e.latlng.lat, e.latlng.lng), lat: e.latlng.lat, lon: e.latlng.lng });
  });
  $("swap").addEventListener("click", () => {
    const [a, b] = [places.from, places.to];
    if (b) setPlace("from", b); else { places.from = null; $("from-input").value = ""; }
    if (a) setPlace("to", a); else { places.to = null; $("to-input").value = ""; }
  });
  $("plan-form").addEventListener("submit", plan);
  $("ride-form").addEventListener("submit", quoteRide);
  document.body.dataset.ready = "1";
  await loadBookings();
}

main().catch((err) => { console.error(err); flash(explain(err), "error"); });
