/* Picture inputs with a size limit (data-max-bytes): a file over it is taken off the input
   at once, with a message next to it, so it is never sent. The server refuses it too. */
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    if (input.closest("[data-photo-upload]")) { return; }  // photo-upload.js handles those
    var note = document.createElement("p");
    note.className = "upload-status upload-status--error";
    note.setAttribute("role", "alert");
    input.insertAdjacentElement("afterend", note);
    input.addEventListener("change", function () {
      var limit = parseInt(input.dataset.maxBytes, 10);
      var file = input.files[0];
      note.textContent = "";
      if (file && file.size > limit) {
        note.textContent = (input.dataset.msgTooLarge || "%s is too large.").replace("%s", file.name);
        input.value = "";
      }
    });
  });
})();
