/*
 * transcaspian map: basemap, overlays, popups, legend, search, deep links, a
 * measuring tool, fullscreen and cooperative gestures on top of Leaflet 1.9.
 *
 * Safety: every string that comes from data (names, values, keys, layer and
 * file names, titles) is put into the page with textContent or as a DOM
 * attribute value, never parsed as markup. The Leaflet APIs that take HTML
 * (the layer control's overlay names, the attribution) get HTML-escaped
 * text. Links are made only for http and https URLs.
 *
 * The page embeds its data as JSON in <script type="application/json">;
 * window.transcaspianMap(map, node) reads it and builds everything.
 * Hooks for other scripts (e.g. a big-layer renderer): window.transcaspianHooks,
 * an array of functions called with the API object once the map is built.
 */
(function (window, document) {
  "use strict";

  var L = window.L;
  var SVGNS = "http://www.w3.org/2000/svg";
  var HEX_COLOR = /^#[0-9a-fA-F]{3,8}$/;
  var DASH_ARRAY = /^[0-9.]+( [0-9.]+)*$/;
  // WGS84, as pyproj.Geod(ellps="WGS84") uses for every measured length.
  var WGS84_A = 6378137.0;
  var WGS84_F = 1 / 298.257223563;
  // Basemap colours (styles.py BASEMAP_*; the static images use the same).
  var LAND = "#f3f1ec", SEA = "#cadfeb", BORDER = "#9a9a9a";
  var SMALL = 700; // px: below this width controls collapse to icons

  // English UI strings; a page in another language sends its own in data.ui.
  var UI = {
    search: "Search names",
    search_label: "Search lines and places by name (arrow down lists all)",
    search_open: "Search",
    no_match: "No match",
    results: "{n} results",
    zoom_in: "Zoom in",
    zoom_out: "Zoom out",
    fullscreen: "View fullscreen",
    exit_fullscreen: "Exit fullscreen",
    measure: "Measure a distance (geodesic, WGS84)",
    measure_start: "Click or tap the map, a line or a place to add points.",
    measure_hint: "Double-click or Finish to end. Esc cancels.",
    measure_total: "Total",
    measure_next: "next",
    finish: "Finish",
    clear: "Clear",
    legend: "Legend",
    layers: "Layers",
    details: "Details and all published figures",
    which: "Several features here. Which one?",
    wheel_hint: "Use Ctrl + scroll to zoom the map",
    wheel_hint_mac: "Use \u2318 + scroll to zoom the map",
    touch_hint: "Use two fingers to move the map",
    tiles_failed: "Map tiles could not load: showing the built-in Natural Earth basemap.",
    map_label: "Map. Arrow keys pan, plus and minus zoom.",
    close: "Close"
  };

  // ---- small DOM helpers ------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (key) {
      node.setAttribute(key, String(attrs[key]));
    });
    return node;
  }

  /** Escape text for the few Leaflet APIs that only take HTML. */
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function safeColor(value, fallback) {
    return typeof value === "string" && HEX_COLOR.test(value) ? value : fallback;
  }

  function safeDash(value) {
    return typeof value === "string" && DASH_ARRAY.test(value) ? value : null;
  }

  /** The URL if it is an absolute http(s) URL, else null (no javascript:, data: ...). */
  function httpUrl(value) {
    if (typeof value !== "string") return null;
    var parsed;
    try {
      parsed = new URL(value);
    } catch (err) {
      return null;
    }
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  }

  // Letters that Unicode does not decompose into a base letter and a mark.
  var FOLD_EXTRA = { "\u0131": "i", "\u0259": "e", "\u018f": "e", "\u00df": "ss", "\u00f8": "o", "\u0142": "l", "\u0111": "d", "\u00e6": "ae", "\u0153": "oe", "\u0451": "\u0435" };

  /** Lower case without diacritics: "baki" finds "Bakı", "баку" finds "Баку", "ceyhan" finds "Ceyhan". */
  function fold(text) {
    return String(text)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[\u0131\u0259\u018f\u00df\u00f8\u0142\u0111\u00e6\u0153\u0451]/g, function (c) { return FOLD_EXTRA[c]; });
  }

  function icon(name) {
    var paths = {
      fullscreen: "M3 8V3h5M12 3h5v5M17 12v5h-5M8 17H3v-5",
      exitFullscreen: "M8 3v5H3M12 3v5h5M17 12h-5v5M3 12h5v5",
      ruler: "M2.5 13.5 13.5 2.5l4 4-11 11zM5.5 10.5l2 2M8 8l1.5 1.5M10.5 5.5l2 2",
      search: "M8.5 3a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11zM12.5 12.5 17 17"
    };
    var svg = svgEl("svg", { viewBox: "0 0 20 20", width: 18, height: 18, "aria-hidden": "true", focusable: "false" });
    svg.appendChild(svgEl("path", { d: paths[name], fill: "none", stroke: "currentColor", "stroke-width": 1.8, "stroke-linejoin": "round", "stroke-linecap": "round" }));
    return svg;
  }

  function barButton(className, label, iconName) {
    var button = el("button", "tc-btn " + className);
    button.type = "button";
    button.title = label;
    button.setAttribute("aria-label", label);
    button.setAttribute("aria-pressed", "false");
    button.appendChild(icon(iconName));
    return button;
  }

  function stopMapEvents(node) {
    L.DomEvent.disableClickPropagation(node);
    L.DomEvent.disableScrollPropagation(node);
  }

  // ---- geodesic distance ------------------------------------------------

  /**
   * Geodesic distance in km on the WGS84 ellipsoid (Vincenty's inverse
   * formula, sub-millimetre on non-antipodal points); null if it does not
   * converge (nearly antipodal points).
   */
  function geodesicKm(lat1, lon1, lat2, lon2) {
    var a = WGS84_A, f = WGS84_F, b = a * (1 - f);
    var rad = Math.PI / 180;
    var dLon = (lon2 - lon1) * rad;
    var U1 = Math.atan((1 - f) * Math.tan(lat1 * rad));
    var U2 = Math.atan((1 - f) * Math.tan(lat2 * rad));
    var sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    var lambda = dLon, lambdaP, iter = 0;
    var sinLambda, cosLambda, sinSigma, cosSigma, sigma, sinAlpha, cos2Alpha, cos2SigmaM, C;
    do {
      sinLambda = Math.sin(lambda);
      cosLambda = Math.cos(lambda);
      var t1 = cosU2 * sinLambda;
      var t2 = cosU1 * sinU2 - sinU1 * cosU2 * cosLambda;
      sinSigma = Math.sqrt(t1 * t1 + t2 * t2);
      if (sinSigma === 0) return 0;
      cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
      sigma = Math.atan2(sinSigma, cosSigma);
      sinAlpha = (cosU1 * cosU2 * sinLambda) / sinSigma;
      cos2Alpha = 1 - sinAlpha * sinAlpha;
      cos2SigmaM = cos2Alpha !== 0 ? cosSigma - (2 * sinU1 * sinU2) / cos2Alpha : 0;
      C = (f / 16) * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha));
      lambdaP = lambda;
      lambda = dLon + (1 - C) * f * sinAlpha *
        (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    } while (Math.abs(lambda - lambdaP) > 1e-12 && ++iter < 200);
    if (iter >= 200) return null;
    var uSq = (cos2Alpha * (a * a - b * b)) / (b * b);
    var A = 1 + (uSq / 16384) * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
    var B = (uSq / 1024) * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
    var deltaSigma = B * sinSigma * (cos2SigmaM + (B / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
      (B / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
    return (b * A * (sigma - deltaSigma)) / 1000;
  }

  function distanceKm(map, p, q) {
    var d = geodesicKm(p.lat, p.lng, q.lat, q.lng);
    // Nearly antipodal points: fall back to Leaflet's spherical distance.
    return d === null ? map.distance(p, q) / 1000 : d;
  }

  /** Points along the great circle from p to q, for drawing long measured segments. */
  function greatCircle(p, q, stepKm, lengthKm) {
    var n = Math.min(256, Math.ceil(lengthKm / stepKm));
    if (n <= 1) return [p, q];
    var rad = Math.PI / 180;
    function vec(ll) {
      var la = ll.lat * rad, lo = ll.lng * rad;
      return [Math.cos(la) * Math.cos(lo), Math.cos(la) * Math.sin(lo), Math.sin(la)];
    }
    var a = vec(p), b = vec(q);
    var omega = Math.acos(Math.max(-1, Math.min(1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2])));
    if (omega < 1e-9 || Math.abs(omega - Math.PI) < 1e-6) return [p, q];
    var out = [];
    for (var i = 0; i <= n; i++) {
      var t = i / n;
      var s1 = Math.sin((1 - t) * omega) / Math.sin(omega), s2 = Math.sin(t * omega) / Math.sin(omega);
      var x = s1 * a[0] + s2 * b[0], y = s1 * a[1] + s2 * b[1], z = s1 * a[2] + s2 * b[2];
      var lng = Math.atan2(y, x) / rad;
      // Keep longitudes continuous with the start point, so Leaflet does not wrap.
      while (lng - p.lng > 180) lng -= 360;
      while (lng - p.lng < -180) lng += 360;
      out.push(L.latLng(Math.atan2(z, Math.sqrt(x * x + y * y)) / rad, lng));
    }
    return out;
  }


  var LOCALE = "en-US";

  function formatKm(km) {
    if (km < 1) return Math.round(km * 1000) + " m";
    var digits = km < 10 ? 2 : 1;
    return km.toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits }) + " km";
  }

  // ---- the offline basemap ----------------------------------------------

  /** Delta-encoded integers [x0, y0, dx1, dy1, ...] to integer [x, y] pairs. */
  function decodeInts(ring) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i + 1 < ring.length; i += 2) {
      x += ring[i];
      y += ring[i + 1];
      out.push([x, y]);
    }
    return out;
  }

  /**
   * The coast and borders of a ring clipped to a level's box, as polylines
   * without the segments that run along the box's edge (those are cuts, not
   * coast).
   */
  function outlineParts(pts, box, q) {
    var parts = [], current = [];
    function onEdge(a, b) {
      return (a[0] === b[0] && (a[0] === box[0] || a[0] === box[2])) || (a[1] === b[1] && (a[1] === box[1] || a[1] === box[3]));
    }
    for (var i = 0; i < pts.length; i++) {
      var a = pts[i], b = pts[(i + 1) % pts.length];
      if (onEdge(a, b)) {
        if (current.length > 1) parts.push(current);
        current = [];
        continue;
      }
      if (!current.length) current.push([a[1] * q, a[0] * q]);
      current.push([b[1] * q, b[0] * q]);
    }
    if (current.length > 1) parts.push(current);
    return parts;
  }

  /**
   * Draw the Natural Earth levels: the world at the coarsest, the finer ones
   * around the data from their first zoom on, each over a patch of sea that
   * hides the coarser coast beneath it. Returns a function that shows the
   * levels fit for the current zoom.
   */
  function drawBasemap(map, basemap) {
    var renderer = L.canvas({ pane: "tc_basemap", padding: 0.3 });
    // A level's shapes are built the first time its zoom is reached: the
    // finer levels cost nothing to a reader who never zooms in.
    function build(level) {
      var q = level.q, box = level.box;
      var group = L.layerGroup();
      var polys = [], outlines = [];
      (level.p || []).forEach(function (poly) {
        var rings = poly.map(decodeInts);
        polys.push(rings.map(function (pts) {
          return pts.map(function (p) { return [p[1] * q, p[0] * q]; });
        }));
        if (box) rings.forEach(function (pts) { outlines.push.apply(outlines, outlineParts(pts, box, q)); });
      });
      var common = { renderer: renderer, interactive: false, className: "tc-basemap" };
      if (box) {
        group.addLayer(L.rectangle([[box[1] * q, box[0] * q], [box[3] * q, box[2] * q]],
          L.extend({ stroke: false, fillColor: SEA, fillOpacity: 1 }, common)));
      }
      group.addLayer(L.polygon(polys, L.extend({ stroke: !box, color: BORDER, weight: 0.7, opacity: 1, fillColor: LAND, fillOpacity: 1 }, common)));
      if (box && outlines.length) group.addLayer(L.polyline(outlines, L.extend({ color: BORDER, weight: 0.7, opacity: 1 }, common)));
      return group;
    }
    var levels = (basemap.levels || []).map(function (level) { return { z: level.z || 0, data: level, group: null }; });
    function update() {
      var z = map.getZoom();
      levels.forEach(function (level) {
        var on = z >= level.z;
        if (on && !level.group) level.group = build(level.data);
        if (on && !map.hasLayer(level.group)) map.addLayer(level.group);
        if (!on && level.group && map.hasLayer(level.group)) map.removeLayer(level.group);
      });
    }
    map.on("zoomend", update);
    update();
    return update;
  }

  /**
   * Country, sea and city names as text labels: shown from their first zoom
   * on, the more important first, skipping any that would overlap a label
   * already placed.
   */
  function drawLabels(map, labels) {
    var pane = map.getPane("tc_labels");
    var items = (labels || []).map(function (label, i) {
      var node = el("span", "tc-label tc-label-" + String(label[0]).replace(/[^a-z]/g, ""), label[5]);
      node.setAttribute("aria-hidden", "true");
      node.style.display = "none";
      pane.appendChild(node);
      var rank = label[0] === "sea" ? 0 : label[0] === "country" ? 1 + label[3] / 20 : 2;
      return { node: node, latlng: L.latLng(label[2], label[1]), minZoom: label[3], maxZoom: label[4], rank: rank, order: i, w: 0, h: 0 };
    });
    items.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
    function place() {
      var z = map.getZoom(), size = map.getSize(), taken = [];
      var shown = items.filter(function (item) {
        if (z < item.minZoom || z > item.maxZoom) return false;
        var c = map.latLngToContainerPoint(item.latlng);
        item.c = c;
        return !(c.x < -200 || c.y < -50 || c.x > size.x + 200 || c.y > size.y + 50);
      });
      // Measure every new label in one layout pass (reading sizes one by one
      // between writes would lay the page out once per label).
      var fresh = shown.filter(function (item) { return !item.w; });
      fresh.forEach(function (item) { item.node.style.display = "block"; });
      fresh.forEach(function (item) { item.w = item.node.offsetWidth + 6; item.h = item.node.offsetHeight + 2; });
      var visible = new Set();
      shown.forEach(function (item) {
        var c = item.c;
        var box = [c.x - item.w / 2, c.y - item.h / 2, c.x + item.w / 2, c.y + item.h / 2];
        if (taken.some(function (t) { return box[0] < t[2] && box[2] > t[0] && box[1] < t[3] && box[3] > t[1]; })) return;
        taken.push(box);
        visible.add(item);
        L.DomUtil.setPosition(item.node, map.latLngToLayerPoint(item.latlng));
      });
      items.forEach(function (item) { item.node.style.display = visible.has(item) ? "block" : "none"; });
    }
    map.on("zoomend moveend resize", place);
    place();
    return place;
  }

  // ---- popups -----------------------------------------------------------

  function linkNode(link) {
    var href = httpUrl(link && link.href);
    var text = link && link.text ? link.text : link && link.href ? link.href : "";
    if (!href) return el("span", "tc-nolink", text);
    var a = el("a", null, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    if (link.title) a.title = String(link.title);
    return a;
  }

  /** Text, then its links after a middle dot, separated by semicolons. */
  function fillLine(node, text, links) {
    if (text !== undefined && text !== null && text !== "") node.appendChild(document.createTextNode(String(text)));
    (links || []).forEach(function (link, i) {
      if (node.childNodes.length) node.appendChild(document.createTextNode(i === 0 ? " · " : "; "));
      node.appendChild(linkNode(link));
    });
    return node;
  }

  /**
   * A popup: the feature's name, its layer, a short table of its main rows
   * and, behind a disclosure, the details. Rows come packed (see
   * pack_payload): [field, text, links?, items?], with field an index into
   * data.fields ([key, label, note, detail]) and links indices into
   * data.links ([text, href, title]).
   */
  function popupNode(feature, layerTitle, data) {
    var fields = data.fields || [];
    var links = data.links || [];
    function unpack(indices) {
      return (indices || []).map(function (i) {
        var l = links[i];
        return l ? { text: l[0], href: l[1], title: l[2] } : null;
      }).filter(Boolean);
    }
    var box = el("div", "tc-popup");
    box.setAttribute("lang", data.lang || "en");
    box.appendChild(el("h2", "tc-popup-title", feature.name));
    if (feature.en && feature.en !== feature.name) box.appendChild(el("div", "tc-popup-alt", feature.en));
    if (layerTitle) box.appendChild(el("div", "tc-popup-layer", layerTitle));
    var main = el("tbody"), detail = el("tbody");
    (feature.rows || []).forEach(function (row) {
      var field = fields[row[0]] || ["", "", "", 0];
      var tr = el("tr");
      tr.setAttribute("data-key", String(field[0]));
      tr.appendChild(el("th", null, field[1]));
      var td = fillLine(el("td"), row[1], unpack(row[2]));
      (row[3] || []).forEach(function (item) {
        td.appendChild(fillLine(el("div", "tc-item"), item[0], unpack(item[1])));
      });
      if (field[2]) td.appendChild(el("div", "tc-note", field[2]));
      tr.appendChild(td);
      (field[3] ? detail : main).appendChild(tr);
    });
    if (main.firstChild) {
      var table = el("table", "tc-popup-table");
      table.appendChild(main);
      box.appendChild(table);
    }
    if (detail.firstChild) {
      var details = el("details", "tc-popup-details");
      details.appendChild(el("summary", null, data.ui.details));
      var more = el("table", "tc-popup-table");
      more.appendChild(detail);
      details.appendChild(more);
      box.appendChild(details);
    }
    return box;
  }

  // ---- overlays ---------------------------------------------------------

  function pathStyle(style, fallbackColor) {
    var out = {
      color: safeColor(style.color, fallbackColor),
      weight: typeof style.weight === "number" ? style.weight : 2,
      opacity: typeof style.opacity === "number" ? style.opacity : 1,
      dashArray: safeDash(style.dash),
      lineCap: style.dash && style.dotted ? "round" : "butt",
      lineJoin: "round"
    };
    if (style.radius !== undefined) {
      out.radius = style.radius;
      out.fill = true;
      out.fillColor = safeColor(style.fill, out.color);
      out.fillOpacity = typeof style.fillOpacity === "number" ? style.fillOpacity : 0.9;
      out.lineCap = "round";
    } else if (style.fill) {
      out.fill = true;
      out.fillColor = safeColor(style.fill, out.color);
      out.fillOpacity = typeof style.fillOpacity === "number" ? style.fillOpacity : 0.15;
    } else {
      out.fill = false;
    }
    return out;
  }

  /**
   * A feature's geometry: its own ("g"), or for a route drawn by reference
   * the chain of its legs' lines ("legs"), a shared junction vertex kept once.
   */
  function geometryOf(feature, lines) {
    if (feature.g) return feature.g;
    var coords = [];
    (feature.legs || []).forEach(function (id) {
      var part = lines[String(id)] || [];
      var last = coords[coords.length - 1];
      var start = last && part.length && last[0] === part[0][0] && last[1] === part[0][1] ? 1 : 0;
      for (var i = start; i < part.length; i++) coords.push(part[i]);
    });
    return coords.length >= 2 ? { type: "LineString", coordinates: coords } : null;
  }

  function featureLayer(geometry, options) {
    var layer = L.GeoJSON.geometryToLayer(
      { type: "Feature", properties: {}, geometry: geometry },
      L.extend({}, options, {
        pointToLayer: function (_, latlng) {
          return L.circleMarker(latlng, options);
        }
      })
    );
    // geometryToLayer passes style options only to paths it creates itself.
    if (layer.setStyle) layer.setStyle(options);
    return layer;
  }

  /** Distance in px from a container point to a feature layer's drawn shape. */
  function pixelDistance(map, layer, point) {
    if (layer.getLatLng) return map.latLngToContainerPoint(layer.getLatLng()).distanceTo(point) - (layer.getRadius ? layer.getRadius() : 0);
    var best = Infinity;
    function walk(lls) {
      if (!lls.length) return;
      if (Array.isArray(lls[0])) { lls.forEach(walk); return; }
      var prev = null;
      lls.forEach(function (ll) {
        var p = map.latLngToContainerPoint(ll);
        if (prev) best = Math.min(best, L.LineUtil.pointToSegmentDistance(point, prev, p));
        else best = Math.min(best, p.distanceTo(point));
        prev = p;
      });
    }
    if (layer.getLatLngs) walk(layer.getLatLngs());
    if (layer.eachLayer) layer.eachLayer(function (child) { best = Math.min(best, pixelDistance(map, child, point)); });
    return best;
  }

  // ---- controls ---------------------------------------------------------

  function legendSample(item) {
    var svg = svgEl("svg", { width: 40, height: 14, "aria-hidden": "true", focusable: "false" });
    if (item.circle) {
      svg.appendChild(svgEl("circle", {
        cx: 20, cy: 7, r: Math.min(6, item.circle.radius || 4),
        fill: safeColor(item.circle.fill || item.circle.color, "#666666"),
        stroke: safeColor(item.circle.stroke, "#ffffff"), "stroke-width": 1
      }));
    } else if (item.area) {
      svg.appendChild(svgEl("rect", {
        x: 3, y: 2, width: 34, height: 10,
        fill: safeColor(item.area.color, "#666666"), "fill-opacity": 0.2,
        stroke: safeColor(item.area.color, "#666666"), "stroke-width": 1.5
      }));
    } else if (item.line) {
      // Exactly what the map draws: the same width, dash pattern, cap and opacity.
      var style = pathStyle(item.line, "#666666");
      var attrs = {
        x1: 2, y1: 7, x2: 38, y2: 7,
        stroke: style.color, "stroke-width": style.weight,
        "stroke-linecap": style.lineCap, "stroke-opacity": style.opacity
      };
      if (style.dashArray) attrs["stroke-dasharray"] = style.dashArray;
      svg.appendChild(svgEl("line", attrs));
    }
    return svg;
  }

  var Legend = L.Control.extend({
    options: { position: "bottomright" },
    initialize: function (data, options) {
      L.setOptions(this, options);
      this._data = data;
    },
    onAdd: function (map) {
      var data = this._data;
      var box = el("div", "tc-legend leaflet-control");
      stopMapEvents(box);
      var details = el("details");
      var size = map.getSize();
      details.open = size.x >= SMALL && size.y >= 500;
      var summary = el("summary", "tc-legend-summary");
      summary.appendChild(el("h1", "tc-legend-title", data.title || data.ui.legend));
      details.appendChild(summary);
      if (data.subtitle) details.appendChild(el("p", "tc-legend-subtitle", data.subtitle));
      (data.legend || []).forEach(function (section) {
        details.appendChild(el("h2", "tc-legend-head", section.title));
        var list = el("ul", "tc-legend-list");
        (section.items || []).forEach(function (item) {
          var li = el("li");
          li.appendChild(legendSample(item));
          li.appendChild(el("span", null, item.label));
          list.appendChild(li);
        });
        details.appendChild(list);
      });
      box.appendChild(details);
      this._details = details;
      return box;
    }
  });

  var Search = L.Control.extend({
    options: { position: "topleft", maxResults: 12 },
    initialize: function (entries, go, ui, options) {
      L.setOptions(this, options);
      this._entries = entries;
      this._go = go;
      this._ui = ui;
    },
    onAdd: function (map) {
      var self = this, ui = this._ui;
      var box = el("div", "tc-search leaflet-control");
      stopMapEvents(box);
      var toggle = barButton("tc-search-toggle", ui.search_open, "search");
      toggle.removeAttribute("aria-pressed");
      toggle.setAttribute("aria-expanded", "false");
      var bar = el("div", "leaflet-bar tc-search-bar");
      bar.appendChild(toggle);
      var input = el("input");
      input.type = "search";
      input.id = "tc-search-input";
      input.placeholder = ui.search;
      input.setAttribute("aria-label", ui.search_label);
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", "tc-search-results");
      input.setAttribute("aria-autocomplete", "list");
      input.autocomplete = "off";
      var list = el("ul", "tc-search-results");
      list.id = "tc-search-results";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", ui.search);
      var status = el("div", "tc-sr-only");
      status.setAttribute("role", "status");
      box.appendChild(bar);
      box.appendChild(input);
      box.appendChild(list);
      box.appendChild(status);
      this._box = box;
      this._input = input;
      this._list = list;
      this._status = status;
      this._toggle = toggle;
      this._active = -1;
      this._matches = [];
      L.DomEvent.on(toggle, "click", function () {
        var open = !L.DomUtil.hasClass(box, "tc-open");
        self.expand(open);
        if (open) input.focus();
      });
      L.DomEvent.on(input, "input", function () { self._update(); });
      L.DomEvent.on(input, "keydown", function (e) { self._key(e); });
      this.compact(map.getSize().x < SMALL);
      return box;
    },
    /** Below SMALL px the search is an icon that opens the field. */
    compact: function (on) {
      L.DomUtil[on ? "addClass" : "removeClass"](this._box, "tc-compact");
      if (!on) this.expand(true);
    },
    expand: function (open) {
      L.DomUtil[open ? "addClass" : "removeClass"](this._box, "tc-open");
      this._toggle.setAttribute("aria-expanded", open ? "true" : "false");
    },
    _clearList: function () {
      while (this._list.firstChild) this._list.removeChild(this._list.firstChild);
    },
    _update: function (all) {
      var query = fold(this._input.value.trim());
      this._clearList();
      this._matches = [];
      this._active = -1;
      this._input.removeAttribute("aria-activedescendant");
      if (query) {
        var starts = [], contains = [];
        this._entries.forEach(function (entry) {
          var best = -1;
          entry.folded.forEach(function (name) {
            var i = name.indexOf(query);
            if (i === 0 || (i > 0 && name.charAt(i - 1) === " ")) best = best === 0 ? 0 : i === 0 ? 0 : 1;
            else if (i > 0 && best < 0) best = 2;
          });
          if (best === 0) starts.push(entry);
          else if (best > 0 || fold(entry.id) === query) contains.push(entry);
        });
        this._matches = starts.concat(contains).slice(0, this.options.maxResults);
      } else if (all) {
        this._matches = this._entries.slice();
      }
      var self = this;
      this._matches.forEach(function (entry, i) {
        var li = el("li", "tc-search-item");
        li.id = "tc-search-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.appendChild(el("span", "tc-search-name", entry.name));
        li.appendChild(el("span", "tc-search-layer", entry.layerTitle));
        // mousedown: choose before the input loses focus; the click that
        // follows is stopped here so it never reaches the map (which would
        // close the popup just opened).
        L.DomEvent.on(li, "mousedown", function (e) { L.DomEvent.preventDefault(e); });
        L.DomEvent.on(li, "click", function (e) { L.DomEvent.stop(e); self._choose(i); });
        self._list.appendChild(li);
      });
      if (query && !this._matches.length) {
        var none = el("li", "tc-search-empty", this._ui.no_match);
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.setAttribute("aria-selected", "false");
        this._list.appendChild(none);
      }
      this._status.textContent = query || all ? this._ui.results.replace("{n}", String(this._matches.length)) : "";
      this._input.setAttribute("aria-expanded", this._list.firstChild ? "true" : "false");
    },
    _highlight: function (i) {
      var items = this._list.querySelectorAll(".tc-search-item");
      if (!items.length) return;
      this._active = (i + items.length) % items.length;
      for (var k = 0; k < items.length; k++) {
        items[k].classList.toggle("tc-active", k === this._active);
        items[k].setAttribute("aria-selected", k === this._active ? "true" : "false");
      }
      this._input.setAttribute("aria-activedescendant", items[this._active].id);
      if (items[this._active].scrollIntoView) items[this._active].scrollIntoView({ block: "nearest" });
    },
    _key: function (e) {
      if (e.key === "ArrowDown") {
        if (!this._matches.length) this._update(true);
        this._highlight(this._active + 1);
        e.preventDefault();
      } else if (e.key === "ArrowUp") { this._highlight(this._active - 1); e.preventDefault(); }
      else if (e.key === "Enter") {
        if (this._matches && this._matches.length) this._choose(Math.max(0, this._active));
        e.preventDefault();
      } else if (e.key === "Escape") {
        this._input.value = "";
        this._update();
        L.DomEvent.stopPropagation(e);
      }
    },
    _choose: function (i) {
      var entry = this._matches[i];
      if (!entry) return;
      this._input.value = entry.name;
      this._matches = [];
      this._clearList();
      this._input.setAttribute("aria-expanded", "false");
      this._input.removeAttribute("aria-activedescendant");
      this._go(entry.id, true);
    }
  });

  function fullscreenElement() {
    return document.fullscreenElement || document.webkitFullscreenElement || null;
  }

  var Fullscreen = L.Control.extend({
    options: { position: "topleft" },
    initialize: function (ui, options) {
      L.setOptions(this, options);
      this._ui = ui;
    },
    onAdd: function (map) {
      var bar = el("div", "leaflet-bar leaflet-control tc-fullscreen");
      var button = barButton("tc-fullscreen-btn", this._ui.fullscreen, "fullscreen");
      bar.appendChild(button);
      stopMapEvents(bar);
      var target = map.getContainer();
      this._button = button;
      this._target = target;
      this._mapContainer = map.getContainer();
      var self = this;
      L.DomEvent.on(button, "click", function () { self.toggle(); });
      this._changed = function () { self._update(); };
      document.addEventListener("fullscreenchange", this._changed);
      document.addEventListener("webkitfullscreenchange", this._changed);
      L.DomEvent.on(document, "keydown", function (e) {
        if (e.key === "Escape" && L.DomUtil.hasClass(self._mapContainer, "tc-pseudo-fullscreen")) self.toggle();
      });
      this._map = map;
      return bar;
    },
    isFullscreen: function () {
      return fullscreenElement() === this._mapContainer || L.DomUtil.hasClass(this._mapContainer, "tc-pseudo-fullscreen");
    },
    toggle: function () {
      var c = this._mapContainer;
      var self = this;
      if (fullscreenElement() === c) {
        (document.exitFullscreen || document.webkitExitFullscreen).call(document);
      } else if (L.DomUtil.hasClass(c, "tc-pseudo-fullscreen")) {
        L.DomUtil.removeClass(c, "tc-pseudo-fullscreen");
        this._update();
      } else {
        var t = this._target;
        var request = t.requestFullscreen || t.webkitRequestFullscreen;
        var enabled = document.fullscreenEnabled || document.webkitFullscreenEnabled;
        // In an <iframe> without allowfullscreen the API is disabled: fill
        // the frame (and the window, when not framed) with CSS instead.
        var pseudo = function () {
          L.DomUtil.addClass(c, "tc-pseudo-fullscreen");
          self._update();
        };
        if (request && enabled) {
          var result = request.call(t);
          if (result && result.catch) result.catch(pseudo);
        } else {
          pseudo();
        }
      }
    },
    _update: function () {
      var on = this.isFullscreen();
      var label = on ? this._ui.exit_fullscreen : this._ui.fullscreen;
      this._button.title = label;
      this._button.setAttribute("aria-label", label);
      this._button.setAttribute("aria-pressed", on ? "true" : "false");
      while (this._button.firstChild) this._button.removeChild(this._button.firstChild);
      this._button.appendChild(icon(on ? "exitFullscreen" : "fullscreen"));
      this._map.invalidateSize();
      this._map.fire("tc:fullscreen", { on: on });
    }
  });

  var Measure = L.Control.extend({
    options: { position: "topleft" },
    initialize: function (ui, options) {
      L.setOptions(this, options);
      this._ui = ui;
    },
    onAdd: function (map) {
      var self = this, ui = this._ui;
      this._map = map;
      this._points = [];
      this._total = 0;
      var box = el("div", "leaflet-control tc-measure");
      var bar = el("div", "leaflet-bar");
      var button = barButton("tc-measure-btn", ui.measure, "ruler");
      bar.appendChild(button);
      box.appendChild(bar);
      var panel = el("div", "tc-measure-panel");
      panel.hidden = true;
      panel.setAttribute("role", "status");
      this._result = el("div", "tc-measure-result", "");
      this._hint = el("div", "tc-measure-hint", ui.measure_start + " " + ui.measure_hint);
      var actions = el("div", "tc-measure-actions");
      this._finish = el("button", "tc-measure-finish", ui.finish);
      this._finish.type = "button";
      this._clear = el("button", "tc-measure-clear", ui.clear);
      this._clear.type = "button";
      actions.appendChild(this._finish);
      actions.appendChild(this._clear);
      panel.appendChild(this._result);
      panel.appendChild(this._hint);
      panel.appendChild(actions);
      box.appendChild(panel);
      stopMapEvents(box);
      this._button = button;
      this._panel = panel;
      map.createPane("tcMeasure").style.zIndex = 640;
      this._group = L.layerGroup().addTo(map);
      this._line = L.polyline([], { pane: "tcMeasure", interactive: false, color: "#111111", weight: 3, className: "tc-measure-line" });
      this._rubber = L.polyline([], { pane: "tcMeasure", interactive: false, color: "#111111", weight: 2, dashArray: "4 4", className: "tc-measure-rubber" });
      this._group.addLayer(this._line).addLayer(this._rubber);
      L.DomEvent.on(button, "click", function () { self._active ? self.finish() : self.start(); });
      L.DomEvent.on(this._finish, "click", function () { self.finish(); });
      L.DomEvent.on(this._clear, "click", function () { self.clear(); });
      L.DomEvent.on(document, "keydown", function (e) { if (e.key === "Escape" && self._active) self.finish(); });
      return box;
    },
    active: function () { return !!this._active; },
    start: function () {
      var map = this._map;
      this.clear();
      this._active = true;
      this._panel.hidden = false;
      this._button.setAttribute("aria-pressed", "true");
      L.DomUtil.addClass(map.getContainer(), "tc-measuring");
      this._dblZoom = map.doubleClickZoom.enabled();
      map.doubleClickZoom.disable();
      map.closePopup();
      map.on("click", this._onClick, this);
      map.on("mousemove", this._onMove, this);
      map.on("dblclick", this.finish, this);
      this._render();
    },
    finish: function () {
      var map = this._map;
      if (!this._active) return;
      this._active = false;
      this._button.setAttribute("aria-pressed", "false");
      L.DomUtil.removeClass(map.getContainer(), "tc-measuring");
      if (this._dblZoom) map.doubleClickZoom.enable();
      map.off("click", this._onClick, this);
      map.off("mousemove", this._onMove, this);
      map.off("dblclick", this.finish, this);
      this._rubber.setLatLngs([]);
      this._render();
    },
    clear: function () {
      this._points = [];
      this._total = 0;
      this._line.setLatLngs([]);
      this._rubber.setLatLngs([]);
      var group = this._group, keep = [this._line, this._rubber];
      group.eachLayer(function (layer) { if (keep.indexOf(layer) < 0) group.removeLayer(layer); });
      if (!this._active) this._panel.hidden = true;
      this._render();
    },
    /** Add a vertex (a Leaflet LatLng or [lat, lng]); returns the total in km. */
    addPoint: function (latlng) {
      latlng = L.latLng(latlng);
      var last = this._points[this._points.length - 1];
      if (last) {
        var d = distanceKm(this._map, last, latlng);
        this._total += d;
        var arc = greatCircle(last, latlng, 25, d);
        var lls = this._line.getLatLngs();
        if (!lls.length) lls.push(last);
        this._line.setLatLngs(lls.concat(arc.slice(1)));
      }
      this._points.push(latlng);
      this._group.addLayer(L.circleMarker(latlng, {
        pane: "tcMeasure", interactive: false, radius: 4, color: "#111111", weight: 2, fillColor: "#ffffff", fillOpacity: 1
      }));
      this._render();
      return this._total;
    },
    total: function () { return this._total; },
    _onClick: function (e) { this.addPoint(e.latlng); },
    _onMove: function (e) {
      var last = this._points[this._points.length - 1];
      if (!last) return;
      var d = distanceKm(this._map, last, e.latlng);
      this._rubber.setLatLngs(greatCircle(last, e.latlng, 25, d));
      this._render(d);
    },
    _render: function (pending) {
      var ui = this._ui, n = this._points.length;
      var text = n < 2 ? "" : ui.measure_total + " " + formatKm(this._total);
      if (pending !== undefined && this._active && n) text += (n < 2 ? "" : " · ") + ui.measure_next + " +" + formatKm(pending);
      this._result.textContent = text;
      this._result.hidden = !text;
      this._hint.hidden = !this._active;
      this._finish.hidden = !this._active;
    }
  });

  /** A short message over the map (gesture hints, notices); hides itself. */
  function Notice(container) {
    var node = el("div", "tc-notice");
    node.setAttribute("role", "status");
    node.hidden = true;
    container.appendChild(node);
    var timer = null;
    return {
      node: node,
      show: function (text, ms) {
        node.textContent = text;
        node.hidden = false;
        if (timer) window.clearTimeout(timer);
        timer = ms ? window.setTimeout(function () { node.hidden = true; }, ms) : null;
      }
    };
  }

  // ---- the map ----------------------------------------------------------

  /** Is the page inside a frame (an article's <iframe>)? */
  function framed() {
    try {
      return window.self !== window.top;
    } catch (err) {
      return true;
    }
  }

  /**
   * Cooperative gestures for embeds: the wheel zooms only with Ctrl/⌘ and a
   * one-finger drag scrolls the article; a hint says how to zoom or pan.
   * Off in fullscreen, where the map has the whole screen.
   */
  function cooperativeGestures(map, ui, notice) {
    var container = map.getContainer();
    var touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    var mac = /Mac|iPhone|iPad/.test(navigator.platform || "");
    var on = true, acc = 0;
    map.scrollWheelZoom.disable();
    if (touch) map.dragging.disable();
    container.addEventListener("wheel", function (e) {
      if (!on) return;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        acc += e.deltaY;
        if (Math.abs(acc) >= 50) {
          map.setZoomAround(map.mouseEventToContainerPoint(e), map.getZoom() + (acc < 0 ? 0.5 : -0.5));
          acc = 0;
        }
      } else {
        notice.show(mac ? ui.wheel_hint_mac : ui.wheel_hint, 1500);
      }
    }, { passive: false });
    container.addEventListener("touchmove", function (e) {
      if (on && touch && e.touches.length === 1) notice.show(ui.touch_hint, 1500);
    }, { passive: true });
    map.on("tc:fullscreen", function (e) {
      on = !e.on;
      if (on) {
        map.scrollWheelZoom.disable();
        if (touch) map.dragging.disable();
      } else {
        map.scrollWheelZoom.enable();
        map.dragging.enable();
      }
    });
  }

  /**
   * Build the overlays, controls and deep links of one map.
   *
   * @param {L.Map} map  the Leaflet map (folium creates it).
   * @param {Element} node  the <script type="application/json"> holding the data.
   * @returns {object} a small API, also pushed onto window.transcaspianMaps.
   */
  function transcaspianMap(map, node) {
    var data = JSON.parse(node.textContent);
    var ui = L.extend({}, UI, data.ui || {});
    data.ui = ui;
    LOCALE = data.locale || "en-US";
    var container = map.getContainer();
    L.DomUtil.addClass(container, "tc-map");
    document.documentElement.setAttribute("lang", data.lang || "en");
    // Landmarks: the map is the page's main content.
    if (container.parentNode && container.parentNode.tagName !== "MAIN") {
      var main = el("main", "tc-main");
      container.parentNode.insertBefore(main, container);
      main.appendChild(container);
    }
    var failed = document.getElementById("tc-failed");
    if (failed) failed.parentNode.removeChild(failed);
    container.setAttribute("aria-label", ui.map_label);
    container.setAttribute("role", "region");
    var notice = Notice(container);
    map.zoomControl.remove();
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">Leaflet</a>'
    );

    var panes = { basemap: 200, labels: 300, under: 390, lines: 410, places: 460 };
    Object.keys(panes).forEach(function (name) {
      var pane = map.createPane("tc_" + name);
      pane.style.zIndex = panes[name];
      if (name === "basemap" || name === "labels") pane.style.pointerEvents = "none";
    });

    var basemap = data.basemap, basemapOn = false;
    function useBasemap() {
      if (basemapOn || !basemap) return;
      basemapOn = true;
      L.DomUtil.addClass(container, "tc-offline");
      drawBasemap(map, basemap);
      drawLabels(map, basemap.labels);
      if (basemap.attribution) map.attributionControl.addAttribution(escapeHtml(basemap.attribution));
      if (basemap.max_zoom) map.setMaxZoom(basemap.max_zoom);
    }
    var tiles = null;
    map.eachLayer(function (layer) { if (layer instanceof L.TileLayer) tiles = layer; });
    if (!tiles) {
      useBasemap();
    } else if (basemap) {
      // Online: fall back to the built-in basemap when tiles do not load.
      var loaded = 0, errors = 0;
      var fallback = function () {
        if (loaded || basemapOn) return;
        map.removeLayer(tiles);
        useBasemap();
        notice.show(ui.tiles_failed, 8000);
        L.DomUtil.addClass(container, "tc-tiles-failed");
      };
      tiles.on("tileload", function () { loaded += 1; });
      tiles.on("tileerror", function () { errors += 1; if (errors >= 2) fallback(); });
      window.setTimeout(fallback, 8000);
    }
    var attribution = map.attributionControl.getContainer();
    L.DomEvent.on(attribution, "click", function () { L.DomUtil.addClass(attribution, "tc-open"); });
    var credit = [data.caption, data.data_attribution].filter(Boolean).join(" · ");
    if (credit) map.attributionControl.addAttribution(escapeHtml(credit));

    var styles = data.styles || [];
    // Prototype-free maps: an id such as "__proto__" or "constructor" is just a key.
    var index = Object.create(null);
    var searchEntries = [];
    var groups = [];
    var entries = [];
    var small = map.getSize().x < SMALL;
    var control = L.control.layers(null, null, { collapsed: small });
    var measure = null;

    var lines = Object.create(null);
    (data.layers || []).forEach(function (layerData) {
      (layerData.features || []).forEach(function (f) {
        if (f.g && f.g.type === "LineString") lines[String(f.id)] = f.g.coordinates;
      });
    });

    function popupOptions() {
      var size = map.getSize();
      // Content + Leaflet's 44 px of margins + the left column of buttons fit the width.
      var maxWidth = Math.max(150, Math.min(340, size.x - 112));
      return {
        maxWidth: maxWidth,
        minWidth: Math.min(220, maxWidth),
        maxHeight: Math.max(120, size.y - 110),
        autoPanPaddingTopLeft: L.point(size.x < SMALL ? 48 : 56, 10),
        autoPanPaddingBottomRight: L.point(10, 28),
        className: "tc-popup-wrap",
        closeButton: true
      };
    }

    /** Where a feature's popup points: the click, else its middle or its place. */
    function anchorOf(layer, latlng) {
      if (latlng) return latlng;
      if (layer.getLatLng) return layer.getLatLng();
      try {
        return layer.getCenter();
      } catch (err) {
        return layer.getBounds().getCenter();
      }
    }

    var current = null;

    function openFeature(entry, latlng, focus) {
      var content = popupNode(entry.feature, entry.layerTitle, data);
      var popup = L.popup(popupOptions()).setLatLng(anchorOf(entry.layer, latlng)).setContent(content);
      popup.openOn(map);
      current = popup;
      // Opening the details makes the popup taller: lay it out again (its
      // body scrolls past maxHeight) and pan it into view.
      var details = content.querySelector(".tc-popup-details");
      if (details) details.addEventListener("toggle", function () { if (map.hasLayer(popup)) popup.update(); });
      rememberHash(entry.feature.id);
      var close = popup.getElement() && popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", ui.close);
      if (focus) {
        var title = content.querySelector(".tc-popup-title");
        title.tabIndex = -1;
        title.focus({ preventScroll: true });
      }
      return popup;
    }

    /** Several features under a click or tap: ask which one. */
    function chooser(candidates, latlng) {
      var box = el("div", "tc-popup tc-chooser");
      box.appendChild(el("h2", "tc-popup-title", ui.which));
      var list = el("ul", "tc-chooser-list");
      candidates.forEach(function (entry) {
        var li = el("li");
        var button = el("button", "tc-chooser-item");
        button.type = "button";
        var sample = legendSample({ line: entry.style.radius === undefined ? entry.rawStyle : null, circle: entry.style.radius !== undefined ? { fill: entry.style.fillColor, radius: entry.style.radius } : null });
        button.appendChild(sample);
        button.appendChild(el("span", null, entry.feature.name));
        L.DomEvent.on(button, "click", function (e) { L.DomEvent.stop(e); openFeature(entry, latlng, true); });
        li.appendChild(button);
        list.appendChild(li);
      });
      box.appendChild(list);
      L.popup(popupOptions()).setLatLng(latlng).setContent(box).openOn(map);
    }

    function touchEvent(e) {
      var o = e.originalEvent;
      return !!(o && (o.pointerType === "touch" || (o.sourceCapabilities && o.sourceCapabilities.firesTouchEvents) || L.Browser.mobile));
    }

    var isPoint = function (x) { return !!x.layer.getLatLng; };

    /** Visible features drawn within tolerance px of a container point, points or lines. */
    function nearby(point, tolerance, points) {
      return entries.filter(function (other) {
        return isPoint(other) === points && map.hasLayer(other.group) &&
          pixelDistance(map, other.layer, point) <= tolerance + (points ? 0 : other.style.weight / 2);
      });
    }

    function openNear(near, latlng) {
      if (near.length > 1) chooser(near.slice(0, 8), latlng);
      else if (near.length === 1) openFeature(near[0], isPoint(near[0]) ? null : latlng);
    }

    function onFeatureClick(entry, e) {
      L.DomEvent.stopPropagation(e);
      if (measure && measure.active()) {
        // A place adds its own position (the nearest, where markers overlap);
        // a line adds the point clicked on it.
        if (isPoint(entry)) {
          // Leaflet reports a small circle marker's own position as the
          // event's latlng: take the pointer's instead.
          var at = e.originalEvent ? map.mouseEventToContainerPoint(e.originalEvent) : map.latLngToContainerPoint(e.latlng);
          var best = entry, bestD = Infinity;
          nearby(at, 8, true).forEach(function (other) {
            var d = map.latLngToContainerPoint(other.layer.getLatLng()).distanceTo(at);
            if (d < bestD) { best = other; bestD = d; }
          });
          measure.addPoint(best.layer.getLatLng());
        } else {
          measure.addPoint(e.latlng);
        }
        return;
      }
      // A marker hit is what was meant unless other markers overlap it; a
      // line shares its pixels with any line drawn close by.
      var near = nearby(map.latLngToContainerPoint(e.latlng), touchEvent(e) ? 14 : 6, isPoint(entry));
      if (near.indexOf(entry) < 0) near.unshift(entry);
      openNear(near, e.latlng);
    }

    // A click or tap beside a thin or dashed line (in a dash's gap) still
    // finds it: places first, then lines, within a finger's width on touch.
    map.on("click", function (e) {
      if (measure && measure.active()) return;
      var point = e.containerPoint, tolerance = touchEvent(e) ? 16 : 8;
      var near = nearby(point, tolerance, true);
      openNear(near.length ? near : nearby(point, tolerance, false), e.latlng);
    });

    (data.layers || []).forEach(function (layerData, layerIndex) {
      var pane = "tc_" + (Object.prototype.hasOwnProperty.call(panes, layerData.pane) ? layerData.pane : "lines");
      var color = safeColor(layerData.color, "#666666");
      // Big layers (web/biglayer.py) are drawn by biglayer.js on one canvas.
      var group = layerData.big && window.transcaspianBigLayer ? window.transcaspianBigLayer(layerData, { pane: pane }) : L.featureGroup();
      (layerData.features || []).forEach(function (feature) {
        var raw = styles[feature.s] || {};
        var style = pathStyle(raw, color);
        var options = L.extend({ pane: pane, className: "tc-f tc-l" + layerIndex, bubblingMouseEvents: false }, style);
        var geometry = geometryOf(feature, lines);
        if (!geometry) return;
        var layer = featureLayer(geometry, options);
        var entry = { layer: layer, group: group, feature: feature, layerIndex: layerIndex, layerTitle: String(layerData.title), style: style, rawStyle: raw };
        layer.bindTooltip(function () { return el("span", "tc-tooltip", feature.name); }, { sticky: true, direction: "top" });
        layer.on("click", function (e) { onFeatureClick(entry, e); });
        layer.on("mouseover", function () { if (layer.setStyle) layer.setStyle({ weight: style.weight + 2 }); });
        layer.on("mouseout", function () { if (layer.setStyle) layer.setStyle({ weight: style.weight }); });
        group.addLayer(layer);
        entries.push(entry);
        if (feature.id !== undefined && feature.id !== null && !(String(feature.id) in index)) {
          index[String(feature.id)] = entry;
          var names = [String(feature.name)].concat(feature.aka || []);
          searchEntries.push({ id: String(feature.id), name: String(feature.name), layerTitle: String(layerData.title), folded: names.map(fold) });
        }
      });
      if (layerData.show !== false) group.addTo(map);
      var swatch = '<span class="tc-swatch" style="background:' + color + '"></span>';
      control.addOverlay(group, swatch + escapeHtml(layerData.title));
      groups.push(group);
    });

    // Keyboard order: search, then the buttons, then the map (see the CSS
    // and the corner order below); features are reached through the search
    // list, not one tab stop per line.
    var search = new Search(searchEntries, go, ui).addTo(map);
    L.control.zoom({ zoomInTitle: ui.zoom_in, zoomOutTitle: ui.zoom_out }).addTo(map);
    var fullscreen = new Fullscreen(ui).addTo(map);
    measure = new Measure(ui).addTo(map);
    control.addTo(map);
    var layersToggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (layersToggle) {
      layersToggle.setAttribute("aria-label", ui.layers);
      layersToggle.setAttribute("title", ui.layers);
      layersToggle.setAttribute("role", "button");
    }
    L.control.scale({ imperial: false, metric: true, maxWidth: map.getSize().x < 500 ? 80 : 150 }).addTo(map);
    var legend = new Legend(data).addTo(map);
    var corners = container.querySelector(".leaflet-control-container");
    if (corners) container.appendChild(corners); // controls after the panes in tab order
    // The map itself comes last: Tab from the controls reaches this stop,
    // which hands focus to the map (arrow keys pan, +/- zoom).
    container.tabIndex = -1;
    var mapStop = el("div", "tc-map-stop tc-sr-only-focusable", ui.map_label);
    mapStop.tabIndex = 0;
    container.appendChild(mapStop);
    L.DomEvent.on(mapStop, "focus", function () { container.focus({ preventScroll: true }); });
    // Chromium puts SVG shapes with focus handlers (Leaflet's tooltips) in the
    // tab order: one stop per line. Features are reached through the search.
    var paths = container.querySelectorAll(".tc-f");
    for (var i = 0; i < paths.length; i++) {
      paths[i].setAttribute("tabindex", "-1");
      paths[i].setAttribute("aria-hidden", "true");
    }

    map.on("resize", function () {
      var narrow = map.getSize().x < SMALL;
      search.compact(narrow);
    });

    L.DomEvent.on(document, "keydown", function (e) {
      if (e.key !== "Escape") return;
      if (map._popup && map.hasLayer(map._popup)) {
        map.closePopup();
        search._input.focus();
      }
    });

    if (framed() || data.cooperative) cooperativeGestures(map, ui, notice);
    // Print the legend open, whatever its state on screen.
    window.addEventListener("beforeprint", function () { if (legend._details) legend._details.open = true; });

    /**
     * Padding that keeps fitted features clear of the controls: the left
     * column of buttons, and the right column (layers, legend) when the map
     * is wide enough to spare it.
     */
    function fitOptions(extra) {
      var size = map.getSize();
      var right = 0;
      [control, legend].forEach(function (c) {
        var n = c.getContainer();
        if (n) right = Math.max(right, n.offsetWidth);
      });
      right = size.x - right >= 420 ? right + 10 : 0;
      // The left column of buttons, and the search field above the data.
      return L.extend({ paddingTopLeft: [56, size.x >= SMALL ? 50 : 10], paddingBottomRight: [right + 10, 20], animate: false }, extra);
    }

    function rememberHash(id) {
      // Keep the address shareable: it names the open feature.
      if (decodeHash() === String(id)) return;
      try {
        window.history.replaceState(null, "", "#" + encodeURIComponent(String(id)));
      } catch (err) {
        /* some file:// and sandboxed contexts forbid it; the link still works */
      }
    }

    function decodeHash() {
      var hash = window.location.hash.replace(/^#/, "");
      try {
        return decodeURIComponent(hash);
      } catch (err) {
        return hash;
      }
    }

    /** Zoom to a feature by id and open its popup; false if there is none. */
    function go(id, fromSearch) {
      var entry = index[String(id)];
      if (!entry) return false;
      if (!map.hasLayer(entry.group)) map.addLayer(entry.group);
      var layer = entry.layer;
      if (layer.getBounds) {
        var bounds = layer.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, fitOptions({ maxZoom: 10 }));
      } else if (layer.getLatLng) {
        map.setView(layer.getLatLng(), Math.max(map.getZoom(), 9), { animate: false });
      }
      openFeature(entry, null, !!fromSearch);
      return true;
    }

    var bounds = data.bounds;
    var start = decodeHash();
    if (!(start && go(start))) {
      if (bounds) map.fitBounds(bounds, fitOptions());
      // A frame laid out after the script ran had no size to fit into: fit
      // again once it has one.
      var size = map.getSize();
      if (bounds && (size.x < 50 || size.y < 50)) {
        map.once("resize", function () { map.fitBounds(bounds, fitOptions()); });
      }
    }
    window.addEventListener("hashchange", function () {
      var id = decodeHash();
      if (id) go(id);
    });

    var api = {
      map: map,
      data: data,
      index: index,
      groups: groups,
      go: go,
      geodesicKm: geodesicKm,
      measure: measure,
      fullscreen: fullscreen,
      search: search,
      legend: legend,
      /** The feature popup opened last (null before any). */
      popup: function () { return current; },
      notice: notice,
      fold: fold
    };
    (window.transcaspianHooks || []).forEach(function (hook) {
      if (typeof hook === "function") hook(api);
    });
    window.transcaspianMaps = window.transcaspianMaps || [];
    window.transcaspianMaps.push(api);
    return api;
  }

  window.transcaspianMap = transcaspianMap;
})(window, document);
