/*
 * transcaspian map: overlays, popups, legend, search, deep links, a measuring
 * tool and a fullscreen button on top of Leaflet 1.9.
 *
 * Safety: every string that comes from data (names, values, keys, layer and
 * file names, titles) is put into the page with textContent or as a DOM
 * attribute value, never parsed as markup. The Leaflet APIs that take HTML
 * (the layer control's overlay names, the attribution) get HTML-escaped
 * text. Links are made only for http and https URLs.
 *
 * The page embeds its data as JSON in <script type="application/json">;
 * window.transcaspianMap(map, node) reads it and builds everything.
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

  /** Lower case without diacritics, so "baki" finds "Bakı" and "kurik" finds "Kuryk"-like spellings. */
  function fold(text) {
    return String(text)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }

  function icon(name) {
    var paths = {
      fullscreen: "M3 8V3h5M12 3h5v5M17 12v5h-5M8 17H3v-5",
      exitFullscreen: "M8 3v5H3M12 3v5h5M17 12h-5v5M3 12h5v5",
      ruler: "M2.5 13.5 13.5 2.5l4 4-11 11zM5.5 10.5l2 2M8 8l1.5 1.5M10.5 5.5l2 2"
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

  function formatKm(km) {
    if (km < 1) return Math.round(km * 1000) + " m";
    var digits = km < 10 ? 2 : 1;
    return km.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) + " km";
  }

  // ---- popups, tooltips -------------------------------------------------

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
   * A popup: the feature's name, its layer, and a table of its rows. Rows
   * come packed (see render.pack_payload): [field, text, links?, items?],
   * with field an index into data.fields ([key, label, note]) and links
   * indices into data.links ([text, href, title]).
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
    box.appendChild(el("div", "tc-popup-title", feature.name));
    if (layerTitle) box.appendChild(el("div", "tc-popup-layer", layerTitle));
    var rows = feature.rows || [];
    if (rows.length) {
      var table = el("table", "tc-popup-table");
      var body = el("tbody");
      rows.forEach(function (row) {
        var field = fields[row[0]] || ["", "", ""];
        var tr = el("tr");
        tr.setAttribute("data-key", String(field[0]));
        tr.appendChild(el("th", null, field[1]));
        var td = fillLine(el("td"), row[1], unpack(row[2]));
        (row[3] || []).forEach(function (item) {
          td.appendChild(fillLine(el("div", "tc-item"), item[0], unpack(item[1])));
        });
        if (field[2]) td.appendChild(el("div", "tc-note", field[2]));
        tr.appendChild(td);
        body.appendChild(tr);
      });
      table.appendChild(body);
      box.appendChild(table);
    }
    return box;
  }

  // ---- overlays ---------------------------------------------------------

  function pathStyle(style, fallbackColor) {
    var out = {
      color: safeColor(style.color, fallbackColor),
      weight: typeof style.weight === "number" ? style.weight : 2,
      opacity: typeof style.opacity === "number" ? style.opacity : 0.95,
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

  // ---- controls ---------------------------------------------------------

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
      details.open = map.getSize().x >= 600;
      var summary = el("summary", "tc-legend-title", data.title || "Legend");
      details.appendChild(summary);
      if (data.subtitle) details.appendChild(el("div", "tc-legend-subtitle", data.subtitle));
      (data.legend || []).forEach(function (section) {
        details.appendChild(el("div", "tc-legend-head", section.title));
        var list = el("ul", "tc-legend-list");
        (section.items || []).forEach(function (item) {
          var li = el("li");
          var svg = svgEl("svg", { width: 34, height: 14, "aria-hidden": "true" });
          if (item.circle) {
            svg.appendChild(svgEl("circle", {
              cx: 17, cy: 7, r: Math.min(6, item.circle.radius || 4),
              fill: safeColor(item.circle.color, "#666666"), stroke: "#ffffff", "stroke-width": 1
            }));
          } else if (item.area) {
            svg.appendChild(svgEl("rect", {
              x: 3, y: 2, width: 28, height: 10,
              fill: safeColor(item.area.color, "#666666"), "fill-opacity": 0.25,
              stroke: safeColor(item.area.color, "#666666"), "stroke-width": 1.5
            }));
          } else if (item.line) {
            var attrs = {
              x1: 2, y1: 7, x2: 32, y2: 7,
              stroke: safeColor(item.line.color, "#666666"),
              "stroke-width": Math.min(8, item.line.weight || 2),
              "stroke-linecap": item.line.dotted ? "round" : "butt",
              "stroke-opacity": typeof item.line.opacity === "number" ? item.line.opacity : 1
            };
            var dash = safeDash(item.line.dash);
            if (dash) attrs["stroke-dasharray"] = dash;
            svg.appendChild(svgEl("line", attrs));
          }
          li.appendChild(svg);
          li.appendChild(el("span", null, item.label));
          list.appendChild(li);
        });
        details.appendChild(list);
      });
      box.appendChild(details);
      return box;
    }
  });

  var Search = L.Control.extend({
    options: { position: "topright", maxResults: 12 },
    initialize: function (entries, go, options) {
      L.setOptions(this, options);
      this._entries = entries;
      this._go = go;
    },
    onAdd: function () {
      var self = this;
      var box = el("div", "tc-search leaflet-control");
      stopMapEvents(box);
      var input = el("input");
      input.type = "search";
      input.placeholder = "Search names";
      input.setAttribute("aria-label", "Search features and places by name");
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", "tc-search-results");
      input.autocomplete = "off";
      var list = el("ul", "tc-search-results");
      list.id = "tc-search-results";
      list.setAttribute("role", "listbox");
      box.appendChild(input);
      box.appendChild(list);
      this._input = input;
      this._list = list;
      this._active = -1;
      L.DomEvent.on(input, "input", function () { self._update(); });
      L.DomEvent.on(input, "keydown", function (e) { self._key(e); });
      return box;
    },
    _update: function () {
      var query = fold(this._input.value.trim());
      var list = this._list;
      while (list.firstChild) list.removeChild(list.firstChild);
      this._matches = [];
      this._active = -1;
      if (query) {
        var starts = [], contains = [];
        this._entries.forEach(function (entry) {
          var i = entry.folded.indexOf(query);
          if (i === 0) starts.push(entry);
          else if (i > 0 || entry.id === query) contains.push(entry);
        });
        this._matches = starts.concat(contains).slice(0, this.options.maxResults);
      }
      var self = this;
      this._matches.forEach(function (entry, i) {
        var li = el("li", "tc-search-item");
        li.setAttribute("role", "option");
        li.appendChild(el("span", "tc-search-name", entry.name));
        li.appendChild(el("span", "tc-search-layer", entry.layerTitle));
        L.DomEvent.on(li, "click", function () { self._choose(i); });
        list.appendChild(li);
      });
      if (query && !this._matches.length) list.appendChild(el("li", "tc-search-empty", "No match"));
      this._input.setAttribute("aria-expanded", list.firstChild ? "true" : "false");
    },
    _highlight: function (i) {
      var items = this._list.querySelectorAll(".tc-search-item");
      if (!items.length) return;
      this._active = (i + items.length) % items.length;
      for (var k = 0; k < items.length; k++) {
        items[k].classList.toggle("tc-active", k === this._active);
        items[k].setAttribute("aria-selected", k === this._active ? "true" : "false");
      }
    },
    _key: function (e) {
      if (e.key === "ArrowDown") { this._highlight(this._active + 1); e.preventDefault(); }
      else if (e.key === "ArrowUp") { this._highlight(this._active - 1); e.preventDefault(); }
      else if (e.key === "Enter") {
        if (this._matches && this._matches.length) this._choose(Math.max(0, this._active));
        e.preventDefault();
      } else if (e.key === "Escape") { this._input.value = ""; this._update(); }
    },
    _choose: function (i) {
      var entry = this._matches[i];
      if (!entry) return;
      this._input.value = entry.name;
      this._matches = [];
      while (this._list.firstChild) this._list.removeChild(this._list.firstChild);
      this._input.setAttribute("aria-expanded", "false");
      this._go(entry.id, true);
    }
  });

  function fullscreenElement() {
    return document.fullscreenElement || document.webkitFullscreenElement || null;
  }

  var Fullscreen = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function (map) {
      var bar = el("div", "leaflet-bar leaflet-control tc-fullscreen");
      var button = barButton("tc-fullscreen-btn", "View fullscreen", "fullscreen");
      bar.appendChild(button);
      stopMapEvents(bar);
      var container = map.getContainer();
      this._button = button;
      // Not this._container: L.Control keeps its own element there.
      this._mapContainer = container;
      var self = this;
      L.DomEvent.on(button, "click", function () { self.toggle(); });
      this._changed = function () { self._update(); };
      document.addEventListener("fullscreenchange", this._changed);
      document.addEventListener("webkitfullscreenchange", this._changed);
      L.DomEvent.on(document, "keydown", function (e) {
        if (e.key === "Escape" && L.DomUtil.hasClass(container, "tc-pseudo-fullscreen")) self.toggle();
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
        var request = c.requestFullscreen || c.webkitRequestFullscreen;
        var enabled = document.fullscreenEnabled || document.webkitFullscreenEnabled;
        // In an <iframe> without allowfullscreen the API is disabled: fill
        // the frame (and the window, when not framed) with CSS instead.
        var pseudo = function () {
          L.DomUtil.addClass(c, "tc-pseudo-fullscreen");
          self._update();
        };
        if (request && enabled) {
          var result = request.call(c);
          if (result && result.catch) result.catch(pseudo);
        } else {
          pseudo();
        }
      }
    },
    _update: function () {
      var on = this.isFullscreen();
      var label = on ? "Exit fullscreen" : "View fullscreen";
      this._button.title = label;
      this._button.setAttribute("aria-label", label);
      this._button.setAttribute("aria-pressed", on ? "true" : "false");
      while (this._button.firstChild) this._button.removeChild(this._button.firstChild);
      this._button.appendChild(icon(on ? "exitFullscreen" : "fullscreen"));
      this._map.invalidateSize();
    }
  });

  var Measure = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function (map) {
      var self = this;
      this._map = map;
      this._points = [];
      this._total = 0;
      var box = el("div", "leaflet-control tc-measure");
      var bar = el("div", "leaflet-bar");
      var button = barButton("tc-measure-btn", "Measure a distance (geodesic, WGS84)", "ruler");
      bar.appendChild(button);
      box.appendChild(bar);
      var panel = el("div", "tc-measure-panel");
      panel.hidden = true;
      this._result = el("div", "tc-measure-result", "");
      this._hint = el("div", "tc-measure-hint", "Click points on the map; double-click or Finish to end.");
      var actions = el("div", "tc-measure-actions");
      this._finish = el("button", "tc-measure-finish", "Finish");
      this._finish.type = "button";
      this._clear = el("button", "tc-measure-clear", "Clear");
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
      this._line = L.polyline([], { pane: "tcMeasure", interactive: false, color: "#222222", weight: 2.5, className: "tc-measure-line" });
      this._rubber = L.polyline([], { pane: "tcMeasure", interactive: false, color: "#222222", weight: 1.5, dashArray: "4 4", className: "tc-measure-rubber" });
      this._group.addLayer(this._line).addLayer(this._rubber);
      L.DomEvent.on(button, "click", function () { self._active ? self.finish() : self.start(); });
      L.DomEvent.on(this._finish, "click", function () { self.finish(); });
      L.DomEvent.on(this._clear, "click", function () { self.clear(); });
      return box;
    },
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
        pane: "tcMeasure", interactive: false, radius: 3, color: "#222222", weight: 1.5, fillColor: "#ffffff", fillOpacity: 1
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
      var n = this._points.length;
      var text = n < 2 ? (this._active ? "Click to start measuring" : "") : "Total " + formatKm(this._total);
      if (pending !== undefined && this._active && n) text += (n < 2 ? "" : " · ") + "next +" + formatKm(pending);
      this._result.textContent = text;
      this._hint.hidden = !this._active;
      this._finish.hidden = !this._active;
    }
  });

  // ---- the map ----------------------------------------------------------

  /**
   * Build the overlays, controls and deep links of one map.
   *
   * @param {L.Map} map  the Leaflet map (folium creates it).
   * @param {Element} node  the <script type="application/json"> holding the data.
   * @returns {object} a small API, also pushed onto window.transcaspianMaps.
   */
  function transcaspianMap(map, node) {
    var data = JSON.parse(node.textContent);
    var container = map.getContainer();
    L.DomUtil.addClass(container, "tc-map");
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">Leaflet</a>'
    );

    var panes = { basemap: 250, under: 390, lines: 410, places: 460 };
    Object.keys(panes).forEach(function (name) {
      var pane = map.createPane("tc_" + name);
      pane.style.zIndex = panes[name];
      if (name === "basemap") pane.style.pointerEvents = "none";
    });

    if (data.basemap) {
      L.DomUtil.addClass(container, "tc-offline");
      L.geoJSON(data.basemap, {
        pane: "tc_basemap",
        interactive: false,
        style: { color: "#8c8c8c", weight: 0.6, opacity: 1, fillColor: "#f3f1ec", fillOpacity: 1, className: "tc-basemap" }
      }).addTo(map);
      if (data.basemap_attribution) map.attributionControl.addAttribution(escapeHtml(data.basemap_attribution));
    }
    if (data.data_attribution) map.attributionControl.addAttribution(escapeHtml(data.data_attribution));

    var styles = data.styles || [];
    // Prototype-free maps: an id such as "__proto__" or "constructor" is just a key.
    var index = Object.create(null);
    var searchEntries = [];
    var groups = [];
    var control = L.control.layers(null, null, { collapsed: map.getSize().x < 700 });

    var lines = Object.create(null);
    (data.layers || []).forEach(function (layerData) {
      (layerData.features || []).forEach(function (f) {
        if (f.g && f.g.type === "LineString") lines[String(f.id)] = f.g.coordinates;
      });
    });

    (data.layers || []).forEach(function (layerData, layerIndex) {
      var pane = "tc_" + (Object.prototype.hasOwnProperty.call(panes, layerData.pane) ? layerData.pane : "lines");
      var color = safeColor(layerData.color, "#666666");
      // Big layers (web/biglayer.py) are drawn by biglayer.js on one canvas.
      var group = layerData.big && window.transcaspianBigLayer ? window.transcaspianBigLayer(layerData, { pane: pane }) : L.featureGroup();
      (layerData.features || []).forEach(function (feature) {
        var style = pathStyle(styles[feature.s] || {}, color);
        var options = L.extend({ pane: pane, className: "tc-f tc-l" + layerIndex }, style);
        var geometry = geometryOf(feature, lines);
        if (!geometry) return;
        var layer = featureLayer(geometry, options);
        layer.bindTooltip(function () { return el("span", "tc-tooltip", feature.name); }, { sticky: true, direction: "top" });
        layer.bindPopup(function () { return popupNode(feature, layerData.title, data); }, { maxWidth: 340, minWidth: 200, autoPanPadding: [20, 20] });
        layer.on("mouseover", function () { if (layer.setStyle) layer.setStyle({ weight: style.weight + 2 }); });
        layer.on("mouseout", function () { if (layer.setStyle) layer.setStyle({ weight: style.weight }); });
        layer.on("popupopen", function () { rememberHash(feature.id); });
        group.addLayer(layer);
        if (feature.id !== undefined && feature.id !== null && !(String(feature.id) in index)) {
          index[String(feature.id)] = { layer: layer, group: group, feature: feature, layerIndex: layerIndex };
          searchEntries.push({
            id: String(feature.id), name: String(feature.name), layerTitle: String(layerData.title),
            folded: fold(feature.name)
          });
        }
      });
      if (layerData.show !== false) group.addTo(map);
      var swatch = '<span class="tc-swatch" style="background:' + color + '"></span>';
      control.addOverlay(group, swatch + escapeHtml(layerData.title));
      groups.push(group);
    });
    control.addTo(map);
    // A narrower scale bar on phones leaves room for the legend beside it.
    L.control.scale({ imperial: false, metric: true, maxWidth: map.getSize().x < 500 ? 90 : 150 }).addTo(map);
    var fullscreen = new Fullscreen().addTo(map);
    var measure = new Measure().addTo(map);
    var search = new Search(searchEntries, go).addTo(map);
    var legend = new Legend(data).addTo(map);

    /**
     * Padding that keeps fitted features clear of the controls: the left
     * column of buttons, and the right column (layers, search, legend) when
     * the map is wide enough to spare it.
     */
    function fitOptions(extra) {
      var size = map.getSize();
      var right = 0;
      [control, search, legend].forEach(function (c) {
        var node = c.getContainer();
        if (node) right = Math.max(right, node.offsetWidth);
      });
      right = size.x - right >= 420 ? right + 10 : 0;
      return L.extend({ paddingTopLeft: [50, 10], paddingBottomRight: [right + 10, 10], animate: false }, extra);
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
    function go(id, updateHash) {
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
      layer.openPopup();
      if (updateHash) rememberHash(id);
      return true;
    }

    var bounds = data.bounds;
    var start = decodeHash();
    if (!(start && go(start))) {
      if (bounds) map.fitBounds(bounds, fitOptions());
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
      fullscreen: fullscreen
    };
    window.transcaspianMaps = window.transcaspianMaps || [];
    window.transcaspianMaps.push(api);
    return api;
  }

  window.transcaspianMap = transcaspianMap;
})(window, document);
