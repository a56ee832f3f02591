// The planner page: scenario files, a comparison job (polled), the KPI table, bar charts
// (inline SVG) and the per-cell accessibility change on the offline map.
import { createMap } from "./map.js";
import { api, config, esc, explain, flash, requireRole, t } from "./session.js";

const POLL_MS = 1000;
const JOB_KEY = "tsunagu.planner.job";
const CHART_KEYS = ["door_to_door_mean_min", "good_option_45min_pct", "jobs_45min_pop_weighted",
  "vehicle_hours_total", "co2_kg_total", "drt_served_pct"];
const COUNT_KEYS = ["routes", "trips", "stops", "zones", "vehicles", "zone_area_ha"];
const SCENARIO_COLOURS = ["#64748b", "#0b6bcb", "#ef6c00", "#2e7d32", "#8e24aa"];
const $ = (id) => document.getElementById(id);
const nf = new Intl.NumberFormat(config.lang === "ja" ? "ja-JP" : "en-GB");

let mapState = null;
let cellLayer = null;
let scenarios = [];
let job = null;

/** A number for tables: fewer decimals as it grows. */
function fmt(v, sign = false) {
  if (v === null || v === undefined) return t("planner.na");
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  const s = new Intl.NumberFormat(config.lang === "ja" ? "ja-JP" : "en-GB", {
    minimumFractionDigits: 0, maximumFractionDigits: digits }).format(v);
  return sign && v > 0 ? `+${s}` : s.replace("-", "−");
}

function unit(u) {
  return ["min", "h", "jobs"].includes(u) ? t(`unit.${u}`) : u;
}

function kindLabel(kind) { return t(`modkind.${kind.replace(/-/g, "_")}`); }

function subject(label) {
  const m = /'(.*)'/.exec(label);
  return m ? m[1] : "";
}

// -- scenario list ---------------------------------------------------------------------

function renderScenarios() {
  const list = $("scenario-list");
  const ref = scenarios.find((s) => s.name === "base" && !s.error) || scenarios.find((s) => !s.error);
  list.innerHTML = scenarios.map((s) => `<article class="scn${s.error ? " scn-bad" : ""}" data-name="${esc(s.name)}">
      <div class="scn-pick">
        <label class="pill"><input type="radio" name="ref" value="${esc(s.name)}" ${s === ref ? "checked" : ""} ${s.error ? "disabled" : ""}> ${esc(t("planner.reference"))}</label>
        <label class="pill"><input type="checkbox" name="cmp" value="${esc(s.name)}" ${s !== ref && !s.error ? "checked" : ""} ${s.error ? "disabled" : ""}> ${esc(t("planner.compare"))}</label>
      </div>
      <h3>${esc(s.title)} <span class="mono muted small">${esc(s.name)}</span></h3>
      ${s.description ? `<p class="small desc">${esc(s.description)}</p>` : ""}
      ${s.error ? `<p class="error small">${esc(t("planner.unusable"))}: ${esc(s.error)}</p>` : ""}
      <ul class="mods">${s.modifications.length ? s.modifications.map((m) => `<li><span class="modkind modkind-${esc(m.kind)}">${esc(kindLabel(m.kind))}</span> <span class="mono small">${esc(subject(m.label))}</span></li>`).join("")
        : `<li class="muted small">${esc(t("planner.no_mods"))}</li>`}</ul>
      <div class="deltas small" data-deltas="${esc(s.name)}"></div>
    </article>`).join("");
  syncPicks();
  list.querySelectorAll("input").forEach((i) => i.addEventListener("change", syncPicks));
  for (const s of scenarios) if (!s.error && s.modifications.length) loadDetail(s.name);
}

function syncPicks() {
  const ref = document.querySelector("input[name=ref]:checked")?.value;
  document.querySelectorAll("input[name=cmp]").forEach((c) => {
    if (c.value === ref) c.checked = false;
    c.disabled = c.value === ref || scenarios.find((s) => s.name === c.value)?.error != null;
    c.closest(".scn").classList.toggle("is-ref", c.value === ref);
    c.closest(".scn").classList.toggle("is-cmp", c.checked);
  });
}

async function loadDetail(name) {
  const el = document.querySelector(`[data-deltas="${CSS.escape(name)}"]`);
  el.textContent = t("planner.loading");
  try {
    const d = await api(`/scenarios/${encodeURIComponent(name)}`);
    const deltas = d.applied.deltas;
    el.innerHTML = `<span class="muted">${esc(t("planner.changes"))}:</span> ` + COUNT_KEYS
      .filter((k) => deltas[k])
      .map((k) => `<span class="delta-chip ${deltas[k] > 0 ? "up" : "down"}">${esc(t(`count.${k}`))} ${fmt(deltas[k], true)}</span>`)
      .join(" ");
  } catch (err) {
    el.innerHTML = `<span class="error">${esc(explain(err))}</span>`;
  }
}

// -- running a comparison ----------------------------------------------------------------

function showProgress(j) {
  $("progress").hidden = false;
  const pct = Math.round((j.progress || 0) * 100);
  $("progress-fill").style.width = `${pct}%`;
  document.querySelector(".progress-bar").setAttribute("aria-valuenow", String(pct));
  const tasks = j.totalTasks ? ` ${j.doneTasks}/${j.totalTasks}` : "";
  $("progress-phase").textContent = `${t(`phase.${j.phase}`)}${tasks}`;
  $("progress-pct").textContent = `${pct}%`;
  $("progress").classList.toggle("failed", j.status === "failed");
}

async function run(ev) {
  ev.preventDefault();
  const ref = document.querySelector("input[name=ref]:checked")?.value;
  const alts = [...document.querySelectorAll("input[name=cmp]:checked")].map((c) => c.value);
  if (!ref || !alts.length) { flash(t("planner.need_two"), "error"); return; }
  const body = { scenarios: [ref, ...alts], trips: Number($("opt-trips").value),
    departures: Number($("opt-departures").value), seed: Number($("opt-seed").value) };
  const origins = new URLSearchParams(location.search).get("origins");
  if (origins) body.origins = Number(origins);
  $("compare-run").disabled = true;
  try {
    const j = await api("/scenarios/compare", { method: "POST", body });
    sessionStorage.setItem(JOB_KEY, j.id);
    flash(t("planner.started"), "info");
    await follow(j);
  } catch (err) {
    flash(explain(err), "error");
  } finally {
    $("compare-run").disabled = false;
  }
}

/** Show the picks and settings of job `j` (a reload finds the last job of this tab). */
function restorePicks(j) {
  const [ref, ...alts] = j.scenarios;
  document.querySelectorAll("input[name=ref]").forEach((r) => { r.checked = r.value === ref; });
  document.querySelectorAll("input[name=cmp]").forEach((c) => { c.checked = alts.includes(c.value); });
  syncPicks();
  $("opt-trips").value = j.options.trips;
  $("opt-departures").value = j.options.departures;
  $("opt-seed").value = j.options.seed;
}

async function follow(j) {
  job = j;
  document.body.dataset.job = j.status;
  showProgress(j);
  while (job.status === "queued" || job.status === "running") {
    await new Promise((r) => setTimeout(r, POLL_MS));
    job = await api(`/scenarios/jobs/${job.id}`);
    showProgress(job);
  }
  document.body.dataset.job = job.status;
  if (job.status === "failed") {
    flash(`${t("planner.failed")}: ${job.error}`, "error");
    return;
  }
  flash(t("planner.done", { s: fmt(job.result.elapsedS) }), "ok");
  renderResults();
}

// -- results ------------------------------------------------------------------------------

function nameOf(name) {
  const s = job.result.scenarios.find((x) => x.name === name);
  return s ? s.title : name;
}

function renderTable() {
  const r = job.result;
  const names = r.scenarios.map((s) => s.name);
  const o = job.options;
  $("kpi-meta").textContent = t("planner.meta", { trips: nf.format(o.trips), departures: o.departures, seed: o.seed, day: o.day });
  const head = `<tr><th>${esc(t("planner.kpi"))}</th>${names.map((n, i) => `<th class="num"><span class="swatch" style="background:${SCENARIO_COLOURS[i % SCENARIO_COLOURS.length]}"></span>${esc(nameOf(n))}${i === 0 ? ` <span class="ref-tag">${esc(t("planner.reference"))}</span>` : ""}</th>`).join("")}${names.slice(1).map((n) => `<th class="num">${esc(t("planner.delta"))} ${esc(nameOf(n))}</th>`).join("")}</tr>`;
  const rows = r.kpiTable.map((row) => {
    const u = unit(row.unit);
    const vals = row.values.map((v) => `<td class="num">${fmt(v)}</td>`).join("");
    const deltas = row.deltas.slice(1).map((d) => {
      let cls = "same";
      if (d !== null && d !== 0 && row.better) cls = d * row.better > 0 ? "better" : "worse";
      const arrow = cls === "better" ? "▲" : cls === "worse" ? "▼" : "";
      const title = cls === "better" ? t("planner.better") : cls === "worse" ? t("planner.worse") : "";
      return `<td class="num delta ${cls}" title="${esc(title)}">${d === null ? t("planner.na") : `${arrow ? `<span class="arrow">${arrow}</span>` : ""}${fmt(d, true)}`}</td>`;
    }).join("");
    return `<tr data-kpi="${esc(row.key)}"><th scope="row">${esc(t(`kpi.${row.key}`))}${u ? ` <span class="muted small">(${esc(u)})</span>` : ""}</th>${vals}${deltas}</tr>`;
  }).join("");
  $("kpis").innerHTML = `<table class="grid kpi-table" id="kpi-table"><thead>${head}</thead><tbody>${rows}</tbody></table>
    <p class="legend-line small"><span class="delta better">▲ ${esc(t("planner.better"))}</span> <span class="delta worse">▼ ${esc(t("planner.worse"))}</span></p>`;
}

function renderCharts() {
  const r = job.result;
  const byKey = Object.fromEntries(r.kpiTable.map((row) => [row.key, row]));
  const barH = 16, gap = 5, left = 0, w = 300;
  $("charts").innerHTML = CHART_KEYS.filter((k) => byKey[k]).map((k) => {
    const row = byKey[k];
    const vals = row.values.map((v) => v ?? 0);
    const max = Math.max(...vals.map(Math.abs), 1e-9);
    const h = r.scenarios.length * (barH + gap);
    const bars = r.scenarios.map((s, i) => {
      const v = row.values[i];
      const bw = v === null ? 0 : Math.max(1, (Math.abs(v) / max) * (w - 70));
      const y = i * (barH + gap);
      return `<g class="bar"><title>${esc(nameOf(s.name))}: ${fmt(v)}</title>
        <rect x="${left}" y="${y}" width="${bw.toFixed(1)}" height="${barH}" rx="3" fill="${SCENARIO_COLOURS[i % SCENARIO_COLOURS.length]}"></rect>
        <text x="${(left + bw + 5).toFixed(1)}" y="${y + barH - 5}" class="bar-value">${fmt(v)}</text></g>`;
    }).join("");
    const u = unit(row.unit);
    return `<figure class="chart" data-kpi="${esc(k)}"><figcaption>${esc(t(`kpi.${k}`))}${u ? ` <span class="muted">(${esc(u)})</span>` : ""}</figcaption>
      <svg viewBox="0 0 ${w} ${h}" width="100%" height="${h}" preserveAspectRatio="xMinYMin meet" role="img">${bars}</svg></figure>`;
  }).join("") + `<div class="chart-keys small">${r.scenarios.map((s, i) => `<span><span class="swatch" style="background:${SCENARIO_COLOURS[i % SCENARIO_COLOURS.length]}"></span>${esc(nameOf(s.name))}</span>`).join("")}</div>`;
}

function colour(d, max) {
  if (!d) return "#d9dee4";
  const s = Math.min(1, Math.sqrt(Math.abs(d) / max));
  const [r0, g0, b0] = [247, 247, 247];
  const [r1, g1, b1] = d > 0 ? [26, 122, 60] : [200, 40, 40];
  const mix = (a, b) => Math.round(a + (b - a) * (0.25 + 0.75 * s));
  return `rgb(${mix(r0, r1)},${mix(g0, g1)},${mix(b0, b1)})`;
}

async function drawCells() {
  if (!job || job.status !== "done") return;
  const alt = $("map-alt").value || job.scenarios[1];
  const threshold = $("map-threshold").value;
  const fc = await api(`/scenarios/jobs/${job.id}/cells?scenario=${encodeURIComponent(alt)}&threshold=${threshold}`);
  const { map } = mapState;
  if (cellLayer) cellLayer.remove();
  const max = Math.max(fc.deltaMaxAbs, 1);
  const half = fc.cellSizeM / 2;
  cellLayer = L.featureGroup();
  for (const f of fc.features) {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    const dLat = half / 111320, dLon = half / (111320 * Math.cos((lat * Math.PI) / 180));
    L.rectangle([[lat - dLat, lon - dLon], [lat + dLat, lon + dLon]], {
      pane: "cells", weight: 0, fillColor: colour(p.delta, max), fillOpacity: p.delta ? 0.8 : 0.35,
      className: `cell ${p.delta > 0 ? "cell-more" : p.delta < 0 ? "cell-fewer" : "cell-same"}`,
    }).bindTooltip(`${esc(t("planner.cell_tip", { ref: fmt(p.ref), value: fmt(p.value), delta: fmt(p.delta, true) }))} ${esc(t("planner.jobs"))}`)
      .addTo(cellLayer);
  }
  cellLayer.addTo(map);
  map.fitBounds(cellLayer.getBounds(), { padding: [12, 12], animate: false });
  $("map-lead").textContent = `${t("planner.map_lead", { min: fc.thresholdMin })} — ${nameOf(fc.scenario)} − ${nameOf(fc.reference)} · ${t("planner.cells", { n: nf.format(fc.features.length), size: fc.cellSizeM })}`;
  const lim = fmt(max);
  $("legend").innerHTML = `<div class="legend-title">${esc(t("planner.map_lead", { min: fc.thresholdMin }))}</div>
    <div class="legend-bar"></div>
    <div class="legend-ticks"><span>−${lim}</span><span>0</span><span>+${lim}</span></div>
    <div class="legend-ticks muted"><span>${esc(t("planner.fewer"))}</span><span>${esc(t("planner.same"))}</span><span>${esc(t("planner.more"))}</span></div>`;
  $("legend").hidden = false;
  document.body.dataset.cells = String(fc.features.length);
}

function renderResults() {
  renderTable();
  renderCharts();
  const sel = $("map-alt");
  sel.innerHTML = job.scenarios.slice(1).map((n) => `<option value="${esc(n)}">${esc(nameOf(n))}</option>`).join("");
  sel.hidden = job.scenarios.length < 3;
  drawCells().catch((err) => flash(explain(err), "error"));
}

async function main() {
  if (!requireRole("planner")) return;
  const [list] = await Promise.all([api("/scenarios"), createMap("map").then((m) => { mapState = m; })]);
  mapState.map.createPane("cells").style.zIndex = 320;
  // today's network (no modifications) first, then the alternatives by name
  scenarios = list.scenarios.slice().sort((a, b) => (a.modifications.length > 0) - (b.modifications.length > 0)
    || a.name.localeCompare(b.name));
  $("opt-trips").max = String(list.maxTrips);
  $("opt-departures").max = String(list.maxDepartures);
  $("trips-hint").textContent = t("planner.at_most", { n: nf.format(list.maxTrips) });
  renderScenarios();
  $("compare-form").addEventListener("submit", run);
  $("map-alt").addEventListener("change", () => drawCells().catch((err) => flash(explain(err), "error")));
  $("map-threshold").addEventListener("change", () => drawCells().catch((err) => flash(explain(err), "error")));
  document.body.dataset.ready = "1";
  const last = sessionStorage.getItem(JOB_KEY);
  if (last) {
    let j = null;
    try { j = await api(`/scenarios/jobs/${last}`); } catch { sessionStorage.removeItem(JOB_KEY); }
    if (j) { restorePicks(j); await follow(j); }
  }
}

main().catch((err) => { console.error(err); flash(explain(err), "error"); });
