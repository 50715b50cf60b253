/* A test double of Stripe.js (v3) for localstripe, which serves no Payment Element. It is
   served by `tests/payments/localstripe_server.py` at /js.stripe.com/solimob-double.js, for the
   browser tests and `make stripe-demo` only (STRIPE_JS_URL points at it there; production
   loads https://js.stripe.com/v3/). It offers what static/js/payments.js uses —
   Stripe(key).elements({clientSecret}).create("payment").mount(selector), confirmPayment and
   confirmSetup — and does what Stripe.js does: it sends the card number or IBAN typed in the
   element to the API (localstripe), confirms the intent, then sends the browser to
   return_url. localstripe only confirms with a secret key: the double carries localstripe's
   fake one. */
(function () {
  "use strict";
  var script = document.currentScript;
  var BASE = script.src.match(/^https?:\/\/[^\/]+/)[0];
  var KEY = "__LOCALSTRIPE_KEY__";

  function post(path, fields) {
    var body = new URLSearchParams(fields);
    return fetch(BASE + path, {
      method: "POST",
      headers: { Authorization: "Bearer " + KEY },
      body: body
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok || json.error) {
          var error = json.error || {};
          return Promise.reject({ message: error.message || "Paiement refusé.", code: error.code });
        }
        return json;
      });
    });
  }

  function field(container, id, label, autocomplete) {
    var wrapper = document.createElement("div");
    wrapper.className = "field";
    var labelEl = document.createElement("label");
    labelEl.htmlFor = id;
    labelEl.textContent = label;
    var input = document.createElement("input");
    input.id = id;
    input.name = id;
    input.type = "text";
    input.autocomplete = autocomplete;
    wrapper.appendChild(labelEl);
    wrapper.appendChild(input);
    container.appendChild(wrapper);
    return input;
  }

  window.Stripe = function () {
    var inputs = {};
    var secret = "";
    return {
      elements: function (options) {
        secret = options.clientSecret;
        return {
          create: function () {
            return {
              mount: function (selector) {
                var container = document.querySelector(selector);
                if (secret.indexOf("seti_") === 0) {
                  inputs.iban = field(container, "stripe-iban", "IBAN", "off");
                } else {
                  inputs.number = field(container, "stripe-card-number", "Numéro de carte", "cc-number");
                  inputs.expiry = field(container, "stripe-card-expiry", "Date d'expiration (MM/AA)", "cc-exp");
                  inputs.cvc = field(container, "stripe-card-cvc", "Cryptogramme", "cc-csc");
                }
              }
            };
          }
        };
      },
      confirmPayment: function (options) {
        var intent = secret.split("_secret_")[0];
        var expiry = (inputs.expiry.value || "12/34").split("/");
        return post("/v1/payment_methods", {
          type: "card",
          "card[number]": inputs.number.value.replace(/\s/g, ""),
          "card[exp_month]": expiry[0],
          "card[exp_year]": "20" + (expiry[1] || "34"),
          "card[cvc]": inputs.cvc.value || "123"
        }).then(function (method) {
          return post("/v1/payment_intents/" + intent, { payment_method: method.id });
        }).then(function () {
          return post("/v1/payment_intents/" + intent + "/confirm", {});
        }).then(function () {
          window.location.assign(options.confirmParams.return_url + "?payment_intent=" + intent);
          return {};
        }, function (error) {
          return { error: error };
        });
      },
      confirmSetup: function (options) {
        var setup = secret.split("_secret_")[0];
        return post("/v1/setup_intents/" + setup + "/confirm", {
          client_secret: secret,
          "payment_method_data[type]": "sepa_debit",
          "payment_method_data[sepa_debit][iban]": inputs.iban.value.replace(/\s/g, "")
        }).then(function () {
          window.location.assign(options.confirmParams.return_url + "?setup_intent=" + setup);
          return {};
        }, function (error) {
          return { error: error };
        });
      }
    };
  };
})();
