// The offline map: Leaflet with no tiles; streets, bus routes, stops and on-demand
// zones drawn from our own GeoJSON (/map/streets, /map/network).
import { api, esc, flash, t } from "./session.js";

export const ROUTE_COLOURS = ["#0b6bcb", "#2e7d32", "#8e24aa", "#00838f", "#c62828", "#5d4037",
  "#3949ab", "#6d4c41", "#00695c", "#ad1457", "#455a64", "#7cb342"];
export const MODE_COLOURS = { WALK: "#6b7280", BUS: "#0b6bcb", ON_DEMAND: "#ef6c00", RAIL: "#263238" };

/** Decode a Google encoded polyline (precision 5) into [[lat, lon], ...]. */
export function decodePolyline(str, precision = 5) {
  const factor = 10 ** precision;
  const out = [];
  let index = 0, lat = 0, lon = 0;
  while (index < str.length) {
    for (const which of [0, 1]) {
      let result = 0, shift = 0, byte;
      do {
        byte = str.charCodeAt(index++) - 63;
        result |= (byte & 0x1f) << shift;
        shift += 5;
      } while (byte >= 0x20);
      const delta = result & 1 ? ~(result >> 1) : result >> 1;
      if (which === 0) lat += delta; else lon += delta;
    }
    out.push([lat / factor, lon / factor]);
  }
  return out;
}

/** Create the map in element `id` and load the background layers; resolves to
 *  { map, network } once the layers are drawn. */
export async function createMap(id, { fit = "streets" } = {}) {
  if (typeof L === "undefined") {
    flash(t("error.no_map"), "error");
    throw new Error("Leaflet missing");
  }
  const map = L.map(id, { zoomControl: true, attributionControl: false, preferCanvas: false,
    zoomSnap: 0.25 });
  map.setView([36.62, 140.66], 12);
  map.getContainer().tsunaguMap = map; // for automation (browser tests)
  map.createPane("streets").style.zIndex = 250;
  map.createPane("zones").style.zIndex = 300;
  map.createPane("routes").style.zIndex = 350;
  map.createPane("stops").style.zIndex = 380; // below overlayPane (400): trips and places on top
  const [streets, network] = await Promise.all([api("/map/streets"), api("/map/network")]);
  const streetStyle = {
    major: { color: "#9aa8b6", weight: 3 },
    street: { color: "#bfc9d3", weight: 1.4 },
    path: { color: "#d2d9e0", weight: 1, dashArray: "2 3" },
  };
  const streetLayer = L.geoJSON(streets, {
    pane: "streets", interactive: false,
    style: (f) => ({ ...streetStyle[f.properties.class], opacity: 1, className: `street street-${f.properties.class}` }),
  }).addTo(map);
  const zones = L.geoJSON({ type: "FeatureCollection", features: network.features.filter((f) => f.properties.layer === "zone") }, {
    pane: "zones",
    style: () => ({ color: "#ef6c00", weight: 2, dashArray: "6 4", fillColor: "#ffb74d", fillOpacity: 0.18, className: "zone" }),
    onEachFeature: (f, layer) => layer.bindTooltip(`${esc(t("board.zone"))}: ${esc(f.properties.name)}`),
  }).addTo(map);
  const routes = L.geoJSON({ type: "FeatureCollection", features: network.features.filter((f) => f.properties.layer === "route") }, {
    pane: "routes",
    style: (f) => ({ color: ROUTE_COLOURS[f.properties.index % ROUTE_COLOURS.length],
      weight: f.properties.shortName === "BRT" ? 4 : 2.5, opacity: 0.45, className: "route" }),
    onEachFeature: (f, layer) => layer.bindTooltip(`${esc(f.properties.shortName)} ${esc(f.properties.longName)}`, { sticky: true }),
  }).addTo(map);
  const stops = L.geoJSON({ type: "FeatureCollection", features: network.features.filter((f) => f.properties.layer === "stop") }, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      pane: "stops", radius: f.properties.hub ? 5 : 3, color: f.properties.hub ? "#ef6c00" : "#37474f",
      weight: f.properties.hub ? 2 : 1, fillColor: "#ffffff", fillOpacity: 1, className: "stop" }),
    onEachFeature: (f, layer) => layer.bindTooltip(esc(f.properties.name)),
  });
  const showStops = () => { if (map.getZoom() >= 13) stops.addTo(map); else stops.remove(); };
  map.on("zoomend", showStops);
  L.control.layers(null, {
    [t("map.streets")]: streetLayer, [t("map.zones")]: zones,
    [t("map.routes")]: routes, [t("map.stops")]: stops,
  }, { collapsed: true }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  let fitTo = streetLayer.getBounds();
  if (fit === "zones" && zones.getLayers().length) {
    fitTo = zones.getBounds();
    for (const f of network.features) {
      if (f.properties.layer === "zone") f.properties.hubs.forEach((h) => fitTo.extend([h.lat, h.lon]));
    }
    fitTo = fitTo.pad(0.1);
  }
  map.invalidateSize();
  map.fitBounds(fitTo, { padding: [10, 10], animate: false });
  showStops();
  return { map, network };
}
