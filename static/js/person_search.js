// The person search of a form (`[data-person-search="<url>"]`): the GOV.UK accessible
// autocomplete (vendored) replaces the search field and its button; the person chosen
// goes into the hidden `beneficiary` input. Without JavaScript the button lists the matches.
"use strict";

(() => {
  const escape = (text) => String(text).replace(/[&<>"']/g, (ch) => (
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[ch]));

  const setUp = (box) => {
    if (!window.accessibleAutocomplete || box.dataset.personSearchReady) return;
    box.dataset.personSearchReady = "true";
    const field = box.querySelector("[data-person-query]");
    const button = box.querySelector("[data-person-search-button]");
    const form = box.closest("form");
    let hidden = form.querySelector("input[type=hidden][name=beneficiary]");
    if (!hidden) {
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "beneficiary";
      box.appendChild(hidden);
    }
    const holder = document.createElement("div");
    holder.className = "person-autocomplete";
    field.parentNode.insertBefore(holder, field);
    const describedBy = field.getAttribute("aria-describedby");
    const value = field.value;
    // Letters typed before this script ran (a slow connection), nobody chosen yet: they are
    // searched for as soon as the autocomplete is in place, and the focus stays in the field.
    const typed = Boolean(value) && !hidden.value;
    const focused = document.activeElement === field;
    field.remove();
    if (button) button.remove();
    let controller = null;
    let shown = null; // the people of the list last shown, by their ids
    window.accessibleAutocomplete({
      element: holder,
      id: "id_beneficiary",
      name: "personne",
      defaultValue: typed ? "" : value,
      minLength: 2,
      showNoOptionsFound: true,
      confirmOnBlur: false,
      displayMenu: "overlay",
      source: (query, populate) => {
        if (controller) controller.abort();
        controller = new AbortController();
        const url = `${box.dataset.personSearch}?q=${encodeURIComponent(query)}`;
        fetch(url, {headers: {Accept: "application/json"}, signal: controller.signal,
                    credentials: "same-origin"})
          .then((response) => (response.ok ? response.json() : {results: []}))
          .then((data) => {
            const ids = data.results.map((person) => person.id).join(",");
            const open = holder.querySelector(".autocomplete__menu--visible");
            // The same people as the open list (the answer to a longer query, come late): the
            // list stays as it is, so the person highlighted with the arrows stays highlighted.
            if (!(open && ids === shown)) populate(data.results);
            shown = ids;
            // The query whose answer the list now shows (an earlier answer may have shown first).
            box.dataset.personSearchAnswered = query;
          })
          .catch(() => {});
      },
      templates: {
        inputValue: (person) => (person ? person.label : ""),
        suggestion: (person) => escape(typeof person === "string" ? person : person.label),
      },
      onConfirm: (person) => { if (person) hidden.value = person.id; },
      tNoResults: () => "Aucune personne trouvée",
      tStatusQueryTooShort: (n) => `Tapez au moins ${n} caractères pour chercher`,
      tStatusNoResults: () => "Aucune personne trouvée",
      tStatusSelectedOption: (selected, length, index) => `${selected} ${index + 1} sur ${length} est en surbrillance`,
      tStatusResults: (length, contentSelectedOption) => (
        `${length === 1 ? "1 personne trouvée" : `${length} personnes trouvées`}. ${contentSelectedOption}`),
      tAssistiveHint: () => "Quand des personnes sont proposées, flèches haut et bas pour les parcourir, Entrée pour choisir.",
    });
    const input = holder.querySelector("input");
    if (input && describedBy) {
      input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${describedBy}`.trim());
    }
    // A name typed again after a choice: the person chosen no longer holds.
    if (input) input.addEventListener("input", () => { hidden.value = ""; });
    if (input && typed) {
      if (focused) input.focus();
      input.value = value;
      input.dispatchEvent(new Event("input", {bubbles: true}));
    }
  };

  const start = () => document.querySelectorAll("[data-person-search]").forEach(setUp);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
