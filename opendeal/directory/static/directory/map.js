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

  function popupFor(place) {
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
      L.marker([place.lat, place.lng], { icon: icon, title: place.name, alt: place.name })
        .bindPopup(popupFor(place))
        .addTo(map);
      return [place.lat, place.lng];
    });
    if (points.length === 1) {
      map.setView(points[0], 15);
    } else {
      map.fitBounds(points, { padding: [30, 30], maxZoom: 15 });
    }
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
