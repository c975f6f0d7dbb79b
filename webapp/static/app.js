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
