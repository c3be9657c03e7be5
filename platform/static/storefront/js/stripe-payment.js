// Mounts Stripe's Payment Element on the checkout's payment form and confirms the payment.
// Everything comes from the form's data- attributes (no inline script, so the page keeps its
// strict Content-Security-Policy); Stripe sends the guest back to the trip page afterwards.
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("payment-form");
    if (!form || typeof window.Stripe !== "function") {
      return;
    }
    var message = document.getElementById("payment-message");
    var submit = document.getElementById("payment-submit");
    var stripe = window.Stripe(form.dataset.publishableKey);
    var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
    var placeholder = document.getElementById("payment-element");
    placeholder.textContent = "";
    elements.create("payment").mount("#payment-element");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit.disabled = true;
      stripe
        .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
        .then(function (result) {
          // Only reached when the payment could not be confirmed (success redirects).
          if (result && result.error) {
            message.textContent = result.error.message;
            message.hidden = false;
          }
          submit.disabled = false;
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
