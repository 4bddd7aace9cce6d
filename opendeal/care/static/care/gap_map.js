// Draw the [data-opendeal-gap-map] element as a Leaflet choropleth of the GeoJSON at its
// data-url: each area coloured by its band of weighted gap (0 none to 4 largest). Progressive
// enhancement: the page's tables hold every figure, so the map stays hidden unless it is drawn.
(function () {
  "use strict";

  var COLOURS = ["#f3f2f1", "#fcd6c3", "#f499be", "#d4351c", "#942514"];

  function popupFor(properties) {
    // Built as elements, not HTML, so no name can inject markup.
    var content = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.name + " (" + properties.code + ")";
    content.appendChild(title);
    var detail = document.createElement("p");
    detail.className = "govuk-body-s govuk-!-margin-0";
    detail.textContent = properties.gaps
      ? properties.gaps + " gap" + (properties.gaps === 1 ? "" : "s") + ", weighted " +
        properties.weighted + (properties.low_gaps ? " (with " + properties.low_gaps + " low)" : "") +
        ": " + properties.terms.join(", ")
      : "No gap";
    content.appendChild(detail);
    return content;
  }

  function draw(container, data) {
    if (!data.features || !data.features.length || typeof window.L === "undefined") return;
    var L = window.L;
    container.hidden = false;
    var map = L.map(container, { scrollWheelZoom: false });
    var tiles = L.tileLayer(container.dataset.tileUrl, {
      attribution: container.dataset.attribution,
      maxZoom: 19,
      referrerPolicy: "strict-origin-when-cross-origin",
    });
    var note = document.getElementById(container.id + "-tile-error");
    tiles.on("tileerror", function () {
      if (note) note.hidden = false;
    });
    tiles.addTo(map);
    var layer = L.geoJSON(data, {
      style: function (feature) {
        return {
          color: "#505a5f",
          weight: 1,
          fillColor: COLOURS[feature.properties.band] || COLOURS[0],
          fillOpacity: 0.7,
        };
      },
      onEachFeature: function (feature, shape) {
        shape.bindPopup(popupFor(feature.properties));
      },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    var legend = document.getElementById(container.id + "-legend");
    if (legend) legend.hidden = false;
    container.dataset.mapReady = "true";
  }

  function start() {
    var containers = document.querySelectorAll("[data-opendeal-gap-map]");
    Array.prototype.forEach.call(containers, function (container) {
      if (!window.fetch) return;
      fetch(container.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { features: [] };
        })
        .then(function (data) {
          draw(container, data);
        })
        .catch(function () {});
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
