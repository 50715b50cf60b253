// Solimob's few behaviours, kept out of the pages so that the Content-Security-Policy can
// refuse every inline script.
"use strict";

// A form marked data-submit-on-change="<selector>" is submitted (through HTMX when it has
// hx-* attributes) as soon as one of its controls matching the selector changes: the
// catalogue searches again when a list or a box changes, not while a text is typed.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-submit-on-change]");
  if (form && event.target.matches(form.dataset.submitOnChange)) {
    form.requestSubmit();
  }
});

// After a failed submit, the error summary (core/_form_errors.html) takes the focus: its
// links lead to the fields to correct (RGAA 11.10, 12.8).
const focusErrorSummary = () => {
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusErrorSummary);
else focusErrorSummary();

// The main menu starts closed on a phone (a « Menu » button opens it); without JavaScript
// it stays open, as on a wide screen.
const closeMenuOnPhone = () => {
  if (!window.matchMedia("(max-width: 47.99rem)").matches) return;
  document.querySelectorAll("details[data-close-on-phone][open]").forEach((menu) => {
    menu.open = false;
  });
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", closeMenuOnPhone);
else closeMenuOnPhone();
