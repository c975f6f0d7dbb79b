// Asks before a form marked data-confirm="question" is sent (disabling a user, rejecting a claim).
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
