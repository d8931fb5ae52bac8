/* select2 draws its own box in place of a field, which screen readers announced without
   a name: give each box the text of the label of the field it replaces. */
(function () {
  "use strict";

  function labelOf(field) {
    if (!field || !field.id) {
      return "";
    }
    var label = document.querySelector('label[for="' + field.id + '"]');
    return label ? label.textContent.replace(/\s+/g, " ").replace(/^\s*\*\s*/, "").trim() : "";
  }

  function nameSelectBoxes() {
    document.querySelectorAll(".select2-container").forEach(function (box) {
      var text = labelOf(box.previousElementSibling);
      if (!text) {
        return;
      }
      box.querySelectorAll(".select2-selection, .select2-search__field").forEach(function (el) {
        if (!el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")) {
          el.setAttribute("aria-label", text);
        }
      });
    });
  }

  window.addEventListener("load", function () {
    nameSelectBoxes();
    new MutationObserver(nameSelectBoxes).observe(document.body, {childList: true, subtree: true});
  });
}());
