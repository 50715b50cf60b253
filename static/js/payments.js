/* Paying the person's share (Payment Element) and signing a SEPA mandate (setup mode), with
   Stripe.js loaded before this file. Everything comes from the form's data attributes: the
   publishable key, the intent's client secret, where Stripe sends the person back, and the
   mode ("payment" or "setup"). No inline script: the page's policy allows Stripe.js's origin
   and our own files only. */
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("stripe-form");
    if (!form || typeof window.Stripe !== "function") {
      return;
    }
    var message = document.getElementById("stripe-message");
    var button = document.getElementById("stripe-submit");
    var setup = form.dataset.mode === "setup";
    var stripe = window.Stripe(form.dataset.publishableKey);
    var elements = stripe.elements({ clientSecret: form.dataset.clientSecret, locale: "fr" });
    elements.create("payment").mount("#stripe-element");

    function show(text) {
      message.textContent = text;
      message.hidden = false;
      button.disabled = false;
      message.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      message.hidden = true;
      var options = { elements: elements, confirmParams: { return_url: form.dataset.returnUrl } };
      var confirm = setup ? stripe.confirmSetup(options) : stripe.confirmPayment(options);
      confirm.then(function (result) {
        // On success Stripe sends the browser to return_url; we only get here on an error.
        if (result && result.error) {
          show(result.error.message || "Le paiement n'a pas abouti. Vérifiez les informations saisies.");
        }
      }, function () {
        show("Le service de paiement ne répond pas. Réessayez dans quelques minutes.");
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
