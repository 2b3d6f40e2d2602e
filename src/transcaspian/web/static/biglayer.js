/*
 * transcaspian big layers: tens of thousands of user lines on one canvas.
 *
 * The page carries a big layer packed by transcaspian.web.biglayer: levels
 * of detail, each with coordinates quantised and delta-encoded in one or
 * two bytes each (base64), and the attributes as one JSON text. This file decodes
 * each level once into Web Mercator world coordinates (0..1), then draws the
 * level that fits the zoom through Leaflet's canvas renderer: one path per
 * frame, lines whose box lies outside the view skipped; polygon rings are
 * filled first (nonzero rule: the page gets exteriors counter-clockwise and
 * holes clockwise), then every path is stroked. Hovering shows the name of
 * the nearest feature within a few pixels (or of the polygon under the
 * pointer) in a tooltip; a click opens a popup. Both are built with
 * textContent only; the attributes are parsed when first needed.
 *
 * window.transcaspianBigLayer(layerData, options) returns the Leaflet layer;
 * map.js adds it to the map and the layer control like any overlay.
 */
(function (window, document) {
  "use strict";

  var L = window.L;
  var HEX_COLOR = /^#[0-9a-fA-F]{3,8}$/;
  var TOLERANCE_PX = 6;
  var CHUNK_SEGMENTS = 500;
  // Vertices one frame may stroke: with more lines in view than pixels to show
  // them, a coarser level draws the same picture several times faster.
  var FRAME_VERTICES = 400000;
  var MAX_LAT = 85.0511287798;
  // Fill of polygons, as the small layers' areas (userpayload.py: fillOpacity 0.2).
  var FILL_OPACITY = 0.2;
  // Polygons smaller than this on screen (pixels, both ways) are not filled: their
  // outline covers them, and filling tens of thousands of specks is most of a frame.
  var MIN_FILL_PX = 8;
  // Most polygon rings one frame fills: without a GPU the rasteriser fills about
  // a hundred thousand small rings a second whatever the batching, so with more
  // in view the frame draws outlines only, as a coarser level would (at that
  // density each polygon is a few pixels and the fill is barely seen).
  var FRAME_FILLS = 4000;

  function bytesOf(b64) {
    var text = window.atob(b64 || "");
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  /**
   * Integers packed by biglayer.pack_ints: little-endian, w (1 or 2) bytes
   * each, the smallest w-byte value an escape before a 4-byte value.
   */
  function ints(packed) {
    var bytes = bytesOf(packed && packed.b);
    var view = new DataView(bytes.buffer);
    var width = packed && packed.w === 2 ? 2 : 1;
    var escape = width === 2 ? -32768 : -128;
    var out = new Float64Array(Math.floor(bytes.length / width));
    var n = 0;
    for (var i = 0; i + width <= bytes.length;) {
      var value = width === 2 ? view.getInt16(i, true) : view.getInt8(i);
      i += width;
      if (value === escape) {
        value = view.getInt32(i, true);
        i += 4;
      }
      out[n++] = value;
    }
    return out.subarray(0, n);
  }

  function decodeLevel(level, scale, ring) {
    var counts = ints(level.n);
    var featureDeltas = ints(level.f);
    var deltas = ints(level.xy);
    var nPaths = counts.length;
    var start = new Uint32Array(nPaths + 1);
    var feature = new Uint32Array(nPaths);
    var box = new Float64Array(nPaths * 4);
    var nVertices = deltas.length / 2;
    var mx = new Float64Array(nVertices);
    var my = new Float64Array(nVertices);
    var qx = 0, qy = 0, f = 0, v = 0;
    for (var p = 0; p < nPaths; p++) {
      f += featureDeltas[p];
      feature[p] = f;
      start[p] = v;
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var k = 0; k < counts[p]; k++, v++) {
        qx += deltas[2 * v];
        qy += deltas[2 * v + 1];
        var lat = Math.max(-MAX_LAT, Math.min(MAX_LAT, qy / scale));
        var x = (qx / scale + 180) / 360;
        var s = Math.sin(lat * Math.PI / 180);
        var y = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
        mx[v] = x;
        my[v] = y;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
      box[4 * p] = x0;
      box[4 * p + 1] = y0;
      box[4 * p + 2] = x1;
      box[4 * p + 3] = y1;
    }
    start[nPaths] = v;
    return { maxZoom: level.maxZoom, start: start, feature: feature, box: box, x: mx, y: my, paths: nPaths, ring: ring };
  }

  /**
   * Add vertices a..e-1 (world coordinates) to the canvas path as pixels of the
   * layer; returns the segments added. Vertices closer than a pixel to the last
   * one drawn add nothing visible (the last vertex is always drawn, so lines
   * still meet).
   */
  function trace(ctx, xs, ys, a, e, world, ox, oy) {
    var lx = xs[a] * world - ox, ly = ys[a] * world - oy, n = 0;
    ctx.moveTo(lx, ly);
    for (var v = a + 1; v < e; v++) {
      var px = xs[v] * world - ox, py = ys[v] * world - oy;
      if (v < e - 1 && Math.abs(px - lx) < 1 && Math.abs(py - ly) < 1) continue;
      ctx.lineTo(px, py);
      lx = px;
      ly = py;
      n++;
    }
    return n;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var NAME_COLUMNS = ["name", "title", "label", "id"];

  /**
   * The canvas renderer of one big layer. It subclasses Leaflet's canvas
   * renderer for its container, sizing, panning and zoom animation, and
   * replaces the drawing and hit testing of per-feature paths by loops
   * over the decoded arrays.
   */
  var BigLayer = L.Canvas.extend({
    // One-pixel lines: the rasteriser draws them as hairlines, several times
    // faster than any wider stroke when no GPU helps.
    options: { padding: 0.1, weight: 1, opacity: 0.85 },

    initialize: function (layerData, options) {
      L.Canvas.prototype.initialize.call(this, options);
      var big = layerData.big;
      this._title = String(layerData.title || "");
      this._color = typeof layerData.color === "string" && HEX_COLOR.test(layerData.color) ? layerData.color : "#666666";
      this._attributesText = big.attributes || "{}";
      this._attributes = null;
      this._tooltipFeature = -1;
      var scale = Number(big.scale) || 1e5;
      var start = window.performance.now();
      // 1 for each path that is a polygon ring (the same paths in every level); null when none is.
      var ring = big.rings ? ints(big.rings) : null;
      this._levels = (big.levels || []).map(function (level) { return decodeLevel(level, Number(level.scale) || scale, ring); });
      this.stats = { decodeMs: window.performance.now() - start, draws: [], firstDraw: null };
    },

    _levelFor: function (zoom, view) {
      var chosen = this._levels.length - 1;
      for (var i = 0; i < this._levels.length; i++) {
        var maxZoom = this._levels[i].maxZoom;
        if (maxZoom === null || maxZoom === undefined || zoom <= maxZoom) { chosen = i; break; }
      }
      // Too many vertices in view for one frame: step down to coarser levels.
      while (view && chosen > 0 && this._verticesIn(this._levels[chosen], view) > FRAME_VERTICES) chosen--;
      return this._levels[chosen];
    },

    _verticesIn: function (level, view) {
      var box = level.box, start = level.start, n = 0;
      for (var p = 0; p < level.paths; p++) {
        var q = 4 * p;
        if (box[q] > view[2] || box[q + 2] < view[0] || box[q + 1] > view[3] || box[q + 3] < view[1]) continue;
        n += start[p + 1] - start[p];
      }
      return n;
    },

    // Nothing to project per feature: drawing reads the decoded arrays.
    _updatePaths: function () {
      if (this._postponeUpdatePaths) return;
      this._redraw();
    },

    _draw: function () {
      var map = this._map;
      if (!map || !this._bounds || !this._levels.length) return;
      var t0 = window.performance.now();
      var ctx = this._ctx;
      var zoom = map.getZoom();
      var world = 256 * Math.pow(2, zoom);
      var origin = map.getPixelOrigin();
      var b = this._bounds;
      var vx0 = (b.min.x + origin.x) / world, vy0 = (b.min.y + origin.y) / world;
      var vx1 = (b.max.x + origin.x) / world, vy1 = (b.max.y + origin.y) / world;
      var level = this._levelFor(zoom, [vx0, vy0, vx1, vy1]);
      this._drawnLevel = level;
      var box = level.box, start = level.start, xs = level.x, ys = level.y;
      var ox = origin.x, oy = origin.y;
      ctx.save();
      ctx.strokeStyle = this._color;
      ctx.fillStyle = this._color;
      // Opaque strokes: with a global alpha the software rasteriser composites
      // every stroked chunk over the whole canvas, several times slower.
      ctx.globalAlpha = 1;
      ctx.lineWidth = this.options.weight;
      // Round joins and caps cost the rasteriser most on a busy canvas; at
      // 1.5 px they look the same as bevelled ones.
      ctx.lineJoin = "bevel";
      ctx.lineCap = "butt";
      this._filled = 0;
      if (level.ring) this._fill(ctx, level, [vx0, vy0, vx1, vy1], world, origin);
      ctx.beginPath();
      var drawn = 0, pending = 0;
      for (var p = 0; p < level.paths; p++) {
        var q = 4 * p;
        if (box[q] > vx1 || box[q + 2] < vx0 || box[q + 1] > vy1 || box[q + 3] < vy0) continue;
        var a = start[p], e = start[p + 1];
        if (e - a === 1) {
          ctx.rect(xs[a] * world - ox - 2, ys[a] * world - oy - 2, 4, 4);
          continue;
        }
        pending += trace(ctx, xs, ys, a, e, world, ox, oy);
        drawn++;
        // Stroke in chunks: the rasteriser handles many small paths much
        // faster than one path of a hundred thousand segments.
        if (pending > CHUNK_SEGMENTS) {
          ctx.stroke();
          ctx.beginPath();
          pending = 0;
        }
      }
      ctx.stroke();
      ctx.restore();
      var ms = window.performance.now() - t0;
      this.stats.draws.push({ zoom: zoom, paths: drawn, fills: this._filled, ms: ms, level: this._levels.indexOf(level) });
      if (this.stats.draws.length > 50) this.stats.draws.shift();
      if (this.stats.firstDraw === null) this.stats.firstDraw = window.performance.now();
    },

    /**
     * Fill the polygons in view, translucent, under their outlines: those at
     * least MIN_FILL_PX across, when there are at most FRAME_FILLS of them. The
     * rings of one feature go into the same path (its holes stay open under the
     * nonzero rule); a path is filled and a new one begun only between features.
     */
    _fill: function (ctx, level, view, world, origin) {
      var box = level.box, start = level.start, xs = level.x, ys = level.y, ring = level.ring, feature = level.feature;
      var ox = origin.x, oy = origin.y, pending = 0, speck = MIN_FILL_PX / world, p, q;
      var fill = new Uint8Array(level.paths), count = 0;
      for (p = 0; p < level.paths; p++) {
        q = 4 * p;
        if (!ring[p] || box[q] > view[2] || box[q + 2] < view[0] || box[q + 1] > view[3] || box[q + 3] < view[1]) continue;
        if (box[q + 2] - box[q] < speck && box[q + 3] - box[q + 1] < speck) continue;
        fill[p] = 1;
        count++;
      }
      if (!count || count > FRAME_FILLS) return;
      this._filled = count;
      ctx.globalAlpha = FILL_OPACITY;
      ctx.beginPath();
      for (p = 0; p < level.paths; p++) {
        if (!fill[p]) continue;
        if (pending > CHUNK_SEGMENTS && feature[p] !== feature[p - 1]) {
          ctx.fill("nonzero");
          ctx.beginPath();
          pending = 0;
        }
        var a = start[p], e = start[p + 1];
        if (e - a < 3) continue;
        pending += trace(ctx, xs, ys, a, e, world, ox, oy);
        ctx.closePath();
      }
      ctx.fill("nonzero");
      ctx.globalAlpha = 1;
    },

    /**
     * The feature under a layer point, or -1: the nearest line, ring or point
     * within TOLERANCE_PX, else the last-drawn polygon the point lies inside.
     */
    _hit: function (point) {
      var map = this._map;
      var zoom = map.getZoom();
      var level = this._drawnLevel || this._levelFor(zoom);
      var world = 256 * Math.pow(2, zoom);
      var origin = map.getPixelOrigin();
      var px = point.x + origin.x, py = point.y + origin.y;
      var wx = px / world, wy = py / world, tol = TOLERANCE_PX / world;
      var best = -1, bestD = TOLERANCE_PX * TOLERANCE_PX;
      var box = level.box, start = level.start, xs = level.x, ys = level.y, ring = level.ring, feature = level.feature;
      // Crossings of a ray from the point by the rings of the current feature:
      // odd when the point is inside its polygon (holes are rings too).
      var inside = -1, crossings = 0, current = -1;
      for (var p = 0; p < level.paths; p++) {
        if (feature[p] !== current) {
          if (crossings % 2 === 1) inside = current;
          current = feature[p];
          crossings = 0;
        }
        var q = 4 * p;
        if (box[q] - tol > wx || box[q + 2] + tol < wx || box[q + 1] - tol > wy || box[q + 3] + tol < wy) continue;
        var a = start[p], e = start[p + 1];
        if (ring && ring[p]) {
          for (var r = a, s = e - 1; r < e; s = r++) {
            if ((ys[r] > wy) !== (ys[s] > wy) && wx < (xs[s] - xs[r]) * (wy - ys[r]) / (ys[s] - ys[r]) + xs[r]) crossings++;
          }
        }
        if (e - a === 1) {
          var dx0 = xs[a] * world - px, dy0 = ys[a] * world - py;
          var d0 = dx0 * dx0 + dy0 * dy0;
          if (d0 <= bestD) { bestD = d0; best = level.feature[p]; }
          continue;
        }
        for (var v = a; v < e - 1; v++) {
          var x1 = xs[v] * world, y1 = ys[v] * world, x2 = xs[v + 1] * world, y2 = ys[v + 1] * world;
          var dx = x2 - x1, dy = y2 - y1, len = dx * dx + dy * dy;
          var t = len > 0 ? Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len)) : 0;
          var cx = x1 + t * dx - px, cy = y1 + t * dy - py;
          var d = cx * cx + cy * cy;
          if (d <= bestD) { bestD = d; best = level.feature[p]; }
        }
      }
      if (crossings % 2 === 1) inside = current;
      return best >= 0 ? best : inside;
    },

    attributes: function () {
      if (this._attributes === null) {
        try {
          this._attributes = JSON.parse(this._attributesText);
        } catch (err) {
          this._attributes = { columns: [], values: [] };
        }
        this._attributesText = null;
      }
      return this._attributes;
    },

    /** The text of column c for feature i ("" when missing). */
    valueOf: function (c, i) {
      var column = (this.attributes().values || [])[c];
      if (!column) return "";
      if (Array.isArray(column)) return column[i];
      var d = column.d || [], k = (column.i || [])[i];
      return k === undefined ? "" : d[k];
    },

    /** Feature i's name: its first name, title, label or id, else the layer and its number (as userpayload.py names small layers' features). */
    nameOf: function (i) {
      var columns = this.attributes().columns || [];
      for (var n = 0; n < NAME_COLUMNS.length; n++) {
        for (var c = 0; c < columns.length; c++) {
          if (String(columns[c]).toLowerCase() === NAME_COLUMNS[n] && this.valueOf(c, i)) return this.valueOf(c, i);
        }
      }
      return this._title + " #" + (i + 1);
    },

    /** A popup for feature i: its name, the layer, and its attributes, all as text. */
    popupNode: function (i) {
      var self = this;
      var columns = this.attributes().columns || [];
      function value(c) { return self.valueOf(c, i); }
      var box = el("div", "tc-popup");
      box.appendChild(el("div", "tc-popup-title", this.nameOf(i)));
      box.appendChild(el("div", "tc-popup-layer", this._title));
      var tableNode = el("table", "tc-popup-table");
      var body = el("tbody");
      for (var k = 0; k < columns.length; k++) {
        var text = value(k);
        if (text === "" || text === undefined || text === null) continue;
        var tr = el("tr");
        tr.appendChild(el("th", null, columns[k]));
        tr.appendChild(el("td", null, text));
        body.appendChild(tr);
      }
      tableNode.appendChild(body);
      box.appendChild(tableNode);
      return box;
    },

    openPopupAt: function (i, latlng) {
      this.hideTooltip();
      L.popup({ maxWidth: 340, minWidth: 200, autoPanPadding: [20, 20] })
        .setLatLng(latlng)
        .setContent(this.popupNode(i))
        .openOn(this._map);
    },

    _onClick: function (e) {
      if (!this._map) return;
      var point = this._map.mouseEventToLayerPoint(e);
      if (e.type === "click" && !this._map.dragging.moving()) {
        var i = this._hit(point);
        if (i >= 0) {
          L.DomEvent.stop(e);
          this.openPopupAt(i, this._map.layerPointToLatLng(point));
          return;
        }
      }
      this._fireEvent(false, e);
    },

    _onMouseMove: function (e) {
      if (!this._map || this._map.dragging.moving() || this._map._animatingZoom) {
        this.hideTooltip();
        return;
      }
      this._hoverPoint = this._map.mouseEventToLayerPoint(e);
      // The search runs at most every 50 ms, and once more for where the pointer
      // stopped; in between the tooltip follows the pointer.
      if (this._hoverTimer) {
        this._hoverPending = true;
        if (this._tooltipFeature >= 0) this._tooltip.setLatLng(this._map.layerPointToLatLng(this._hoverPoint));
      } else {
        this._hover();
      }
      this._fireEvent(false, e);
    },

    _hover: function () {
      var self = this;
      this._hoverPending = false;
      this._hoverTimer = window.setTimeout(function () {
        self._hoverTimer = null;
        if (self._hoverPending && self._map) self._hover();
      }, 50);
      var i = this._hit(this._hoverPoint);
      this._container.style.cursor = i >= 0 ? "pointer" : "";
      if (i >= 0) this.showTooltip(i, this._map.layerPointToLatLng(this._hoverPoint));
      else this.hideTooltip();
    },

    /** Show feature i's name at latlng, in a tooltip like the small layers' ones. */
    showTooltip: function (i, latlng) {
      if (!this._tooltip) this._tooltip = L.tooltip({ direction: "top", offset: [0, -8], opacity: 0.95, className: "tc-big-tooltip" });
      if (this._tooltipFeature !== i) {
        this._tooltip.setContent(el("span", "tc-tooltip", this.nameOf(i)));
        this._tooltipFeature = i;
      }
      this._tooltip.setLatLng(latlng);
      if (!this._map.hasLayer(this._tooltip)) this._tooltip.addTo(this._map);
    },

    hideTooltip: function () {
      this._tooltipFeature = -1;
      if (this._tooltip && this._map && this._map.hasLayer(this._tooltip)) this._map.removeLayer(this._tooltip);
    },

    onRemove: function (map) {
      this.hideTooltip();
      L.Canvas.prototype.onRemove.call(this, map);
    },

    _handleMouseOut: function (e) {
      if (this._container) this._container.style.cursor = "";
      this._hoverPending = false;
      this.hideTooltip();
      this._fireEvent(false, e);
    }
  });

  /**
   * The Leaflet layer of a big layer.
   *
   * @param {object} layerData  a payload layer with a "big" member.
   * @param {object} options  Leaflet renderer options (pane).
   */
  function transcaspianBigLayer(layerData, options) {
    var layer = new BigLayer(layerData, options);
    window.transcaspianBigLayers = window.transcaspianBigLayers || [];
    window.transcaspianBigLayers.push(layer);
    return layer;
  }

  window.transcaspianBigLayer = transcaspianBigLayer;
})(window, document);
