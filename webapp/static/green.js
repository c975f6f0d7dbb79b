// The printable notice: a button that opens the browser's print dialog.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
