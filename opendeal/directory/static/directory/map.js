// Draw each [data-opendeal-directory-map] element as a Leaflet map of the places in the JSON script
// element it names. Progressive enhancement: the page lists every place without this, so the
// map stays hidden unless it can be drawn, and a note says when the tiles cannot be loaded.
(function () {
  "use strict";

  function readPlaces(container) {
    var element = document.getElementById(container.dataset.places);
    if (!element) return [];
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return [];
    }
  }

  function placeContent(place) {
    // Built as elements, not HTML, so a service's name cannot inject markup.
    var content = document.createElement("div");
    var link = document.createElement("a");
    link.className = "govuk-link";
    link.href = place.url;
    link.textContent = place.name;
    content.appendChild(link);
    if (place.address) {
      var address = document.createElement("p");
      address.className = "govuk-body-s govuk-!-margin-0";
      address.textContent = place.address;
      content.appendChild(address);
    }
    return content;
  }

  function popupFor(group) {
    if (group.length === 1) return placeContent(group[0]);
    var list = document.createElement("ul");
    list.className = "govuk-list";
    group.forEach(function (place) {
      var item = document.createElement("li");
      item.appendChild(placeContent(place));
      list.appendChild(item);
    });
    return list;
  }

  // Markers are 25 by 41 pixels above their point. Places whose markers would overlap at this
  // zoom share one marker whose popup lists them all: overlapping targets fail WCAG 2.2's
  // target size (2.5.8), and a marker hidden under another cannot be reached.
  function overlapping(map, places) {
    var groups = [];
    places.forEach(function (place) {
      var point = map.latLngToLayerPoint([place.lat, place.lng]);
      var group = null;
      for (var index = 0; index < groups.length && !group; index++) {
        var first = groups[index].point;
        if (Math.abs(first.x - point.x) < 26 && Math.abs(first.y - point.y) < 42) {
          group = groups[index];
        }
      }
      if (group) {
        group.places.push(place);
      } else {
        groups.push({ point: point, places: [place] });
      }
    });
    return groups.map(function (group) {
      return group.places;
    });
  }

  function draw(container) {
    var places = readPlaces(container);
    if (!places.length || typeof window.L === "undefined") return;
    var L = window.L;
    container.hidden = false;
    var map = L.map(container, { scrollWheelZoom: false });
    var tiles = L.tileLayer(container.dataset.tileUrl, {
      attribution: container.dataset.attribution,
      maxZoom: 19,
      // The site's own policy sends no referrer; tile servers ask for the site's address.
      referrerPolicy: "strict-origin-when-cross-origin",
    });
    var note = document.getElementById(container.id + "-tile-error");
    tiles.on("tileerror", function () {
      container.classList.add("opendeal-directory-map--no-tiles");
      if (note) note.hidden = false;
    });
    tiles.addTo(map);
    var icon = L.icon({
      iconUrl: container.dataset.iconUrl,
      iconRetinaUrl: container.dataset.iconRetinaUrl,
      shadowUrl: container.dataset.shadowUrl,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      shadowSize: [41, 41],
    });
    var points = places.map(function (place) {
      return [place.lat, place.lng];
    });
    if (points.length === 1) {
      map.setView(points[0], 15);
    } else {
      map.fitBounds(points, { padding: [30, 30], maxZoom: 15 });
    }
    var markers = L.layerGroup().addTo(map);
    function drawMarkers() {
      markers.clearLayers();
      overlapping(map, places).forEach(function (group) {
        var names = group.map(function (place) {
          return place.name;
        });
        var label =
          group.length === 1 ? names[0] : group.length + " services: " + names.join(", ");
        L.marker([group[0].lat, group[0].lng], { icon: icon, title: label, alt: label })
          .bindPopup(popupFor(group))
          .addTo(markers);
      });
    }
    drawMarkers();
    map.on("zoomend", drawMarkers);
    container.dataset.mapReady = "true";
  }

  function start() {
    var containers = document.querySelectorAll("[data-opendeal-directory-map]");
    for (var index = 0; index < containers.length; index++) {
      draw(containers[index]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
