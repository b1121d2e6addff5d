// Network view: graph (Cytoscape), map (Leaflet over a bundled world outline), from /v1 JSON.
// Attacker-written labels are drawn on a canvas (Cytoscape) or set with textContent (map),
// never parsed as HTML.
(function () {
  "use strict";
  const holder = document.getElementById("graph");
  if (!holder) return;

  const COLORS = { record: "#1f5fa8", phone: "#d9a400", email: "#3a8a2e", handle: "#7a3fb0",
                   payment_handle: "#b0413e", crypto_address: "#444", url: "#0a7f86" };

  function text(tag, value) {
    const el = document.createElement(tag);
    el.textContent = value;
    return el;
  }

  fetch(holder.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then((g) => { drawGraph(g); drawMap(g); })
    .catch((e) => { holder.replaceChildren(text("p", "Could not load the graph: " + e.message)); });

  function drawGraph(g) {
    const elements = [];
    for (const n of g.nodes) {
      elements.push({ data: { id: n.id, label: n.label, kind: n.kind, hub: n.hub ? 1 : 0 } });
    }
    g.edges.forEach((e, i) => {
      elements.push({ data: { id: "e" + i, source: e.source, target: e.target, reason: e.reason } });
    });
    const cy = cytoscape({
      container: holder,
      elements: elements,
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000 },
      style: [
        { selector: "node", style: { "background-color": (n) => COLORS[n.data("kind")] || "#888",
          label: "data(label)", "font-size": 9, "text-valign": "bottom", "text-margin-y": 3,
          width: 14, height: 14 } },
        { selector: "node[kind = 'record']", style: { shape: "round-rectangle", width: 18, height: 12 } },
        { selector: "node[hub = 1]", style: { "border-width": 3, "border-color": "#a33", "border-style": "dashed" } },
        { selector: "edge", style: { width: 1.5, "line-color": "#b8c2cc", label: "data(reason)",
          "font-size": 7, color: "#5b6672" } },
        { selector: ":selected", style: { "border-width": 3, "border-color": "#000" } },
      ],
      wheelSensitivity: 0.3,
    });
    holder.dataset.nodes = String(g.nodes.length);
    holder.dataset.ready = "1";
    cy.on("tap", "node[kind = 'record']", (evt) => {
      window.location.assign("/cases/" + encodeURIComponent(holder.dataset.case) + "/records/" +
        encodeURIComponent(evt.target.id().slice(2)));
    });
  }

  function drawMap(g) {
    const el = document.getElementById("map");
    if (!el || typeof L === "undefined") return;
    const map = L.map(el, { worldCopyJump: true, attributionControl: false, preferCanvas: true,
                            zoomAnimation: false, fadeAnimation: false })
      .setView([20, 0], 2);
    fetch("/static/vendor/countries-110m.json").then((r) => r.json()).then((topo) => {
      L.geoJSON(topojson.feature(topo, topo.objects.countries), {
        style: { color: "#8a96a3", weight: 0.6, fillColor: "#dfe5ec", fillOpacity: 1 },
        interactive: false,
      }).addTo(map);
      const points = g.stops.filter((s) => s.lat !== null && s.lon !== null);
      const line = [];
      points.forEach((s, i) => {
        const ll = [s.lat, s.lon];
        line.push(ll);
        const label = document.createElement("span");
        label.textContent = (i + 1) + ". #" + s.record_id + " " + (s.place || "") +
          (s.at ? " · " + s.at.slice(0, 10) : "");
        L.circleMarker(ll, { radius: 6, color: "#1f5fa8", fillOpacity: 0.8 })
          .bindTooltip(label).addTo(map);
      });
      if (line.length > 1) L.polyline(line, { color: "#a33", weight: 2, dashArray: "4 4" }).addTo(map);
      if (line.length) map.fitBounds(L.latLngBounds(line).pad(0.5), { maxZoom: 6, animate: false });
      el.dataset.ready = "1";
      el.dataset.points = String(points.length);
    });
  }
})();
