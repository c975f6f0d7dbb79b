// Asks before a form marked data-confirm="question" is sent (disabling a user, rejecting a claim).
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A table or diagram wider than its box scrolls inside the box: such a box takes the keyboard focus, so that it
// can be scrolled without a mouse (and only then, so that no empty stop is added where nothing scrolls).
(function () {
  function mark() {
    var boxes = document.querySelectorAll(".table-wrap, .diagram-wrap");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("load", mark);  // again once tables are stacked and fonts are in
  window.addEventListener("resize", mark);
})();

// On a phone the main menu folds behind its Menu button (without scripts it stays open, wrapped).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".mainnav .menu-toggle");
    if (!toggle) {
      return;
    }
    var nav = toggle.parentNode;
    toggle.hidden = false;
    nav.classList.add("is-folded");
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("is-folded") === false;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
})();

// On a phone a table marked "stack" shows each row as a card, each cell under its column's heading (without
// scripts the table scrolls sideways inside its own box instead).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var tables = document.querySelectorAll("table.stack");
    for (var i = 0; i < tables.length; i++) {
      var heads = tables[i].querySelectorAll("thead th");
      var names = [];
      for (var h = 0; h < heads.length; h++) {
        var hidden = heads[h].querySelector(".visually-hidden");  // a heading only screen readers need
        names.push(hidden && hidden.textContent === heads[h].textContent.trim() ? "" : heads[h].textContent.trim());
      }
      var rows = tables[i].querySelectorAll("tbody tr");
      for (var r = 0; r < rows.length; r++) {
        for (var c = 0; c < rows[r].children.length && c < names.length; c++) {
          if (names[c] && !rows[r].children[c].hasAttribute("colspan")) {
            rows[r].children[c].setAttribute("data-label", names[c]);
          }
        }
      }
      tables[i].classList.add("is-stacked");
      if (tables[i].parentNode.classList.contains("table-wrap")) {
        tables[i].parentNode.classList.add("has-stack");
      }
    }
  });
})();
