/* Dataset title autocomplete on the search boxes (the /dataset page and the home page),
   with the ARIA combobox pattern: the box is a combobox that controls a listbox of titles;
   arrow keys move through them (aria-activedescendant), Enter opens the chosen dataset,
   Escape closes the list. Without JavaScript, or without the embedded search index, the
   boxes are plain search fields. Titles come from opengovpe_search_suggest (public
   datasets only). */
(function () {
  "use strict";

  var BOXES = "#field-giant-search, #home-search";
  var DELAY_MS = 150;
  var MIN_LENGTH = 2;

  function settings() {
    var el = document.getElementById("opengovpe-typing-help");
    return el ? el.dataset : null;
  }

  function enhance(input, conf, index) {
    if (input.getAttribute("data-opengovpe-autocomplete")) {
      return;
    }
    input.setAttribute("data-opengovpe-autocomplete", "on");
    var listId = "opengovpe-titles-" + index;
    var wrapper = document.createElement("div");
    wrapper.className = "opengovpe-autocomplete";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "opengovpe-autocomplete-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", conf.label);
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    wrapper.appendChild(list);
    wrapper.appendChild(status);
    input.parentNode.insertBefore(wrapper, input.nextSibling);
    input.parentNode.classList.add("opengovpe-autocomplete-host");

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var active = -1;
    var asked = "";
    var items = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(position) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) {
        return;
      }
      active = (position + options.length) % options.length;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }

    function open(name) {
      window.location.href = conf.datasetUrl.replace("__name__", encodeURIComponent(name));
    }

    function show(titles) {
      items = titles;
      list.textContent = "";
      titles.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.title;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
        });
        option.addEventListener("click", function () {
          open(item.name);
        });
        list.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (titles.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = titles.length === 1 ? conf.one :
          conf.many.replace("{count}", String(titles.length));
      } else {
        close();
        status.textContent = "";
      }
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < MIN_LENGTH || text.length > 200) {
        show([]);
        return;
      }
      if (text === asked) {
        return;
      }
      asked = text;
      var url = conf.url + "?kind=titles&limit=8&q=" + encodeURIComponent(text);
      fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          // an answer to an older text is dropped
          if (body && body.success && input.value.trim() === text) {
            show(body.result.titles);
          }
        })
        .catch(function () { /* no help: the box stays a plain search field */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!expanded && items.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        highlight(active + 1);
      } else if (event.key === "ArrowUp" && expanded) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && expanded && active >= 0) {
        // Enter without a chosen title submits the search as always
        event.preventDefault();
        open(items[active].name);
      } else if (event.key === "Escape" && expanded) {
        event.preventDefault();
        close();
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  function enhanceAll() {
    var conf = settings();
    if (!conf || !window.fetch) {
      return;
    }
    document.querySelectorAll(BOXES).forEach(function (input, i) {
      enhance(input, conf, i);
    });
  }

  window.addEventListener("load", enhanceAll);
  // the /dataset page swaps its results (and its search form) in place with htmx
  document.addEventListener("htmx:afterSettle", enhanceAll);
}());
