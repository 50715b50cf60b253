// The week slot picker (templates/core/week_picker.html): the times are one Tab stop (a
// roving tabindex); arrows move between them (Right/Down: next, Left/Up: previous,
// Home/End: first/last of the week), Space or Enter chooses, Page Up / Page Down show the
// previous / next week.
"use strict";

(() => {
  const times = (picker) => [...picker.querySelectorAll(".week-time input:not([disabled])")];

  const setUp = (picker) => {
    if (picker.dataset.weekPickerReady) return;
    picker.dataset.weekPickerReady = "true";
    const inputs = times(picker);
    const current = inputs.find((input) => input.checked) || inputs[0];
    inputs.forEach((input) => { input.tabIndex = input === current ? 0 : -1; });
  };

  const moveTo = (picker, target) => {
    times(picker).forEach((input) => { input.tabIndex = input === target ? 0 : -1; });
    target.focus();
    const day = target.closest(".week-day");
    if (day) day.scrollIntoView({block: "nearest", inline: "start"});
  };

  document.addEventListener("keydown", (event) => {
    const input = event.target.closest(".week-time input");
    const picker = input && input.closest("[data-week-picker]");
    if (!picker || event.altKey || event.ctrlKey || event.metaKey) return;
    const inputs = times(picker);
    const at = inputs.indexOf(input);
    let target = null;
    switch (event.key) {
      case "ArrowRight": case "ArrowDown": target = inputs[Math.min(at + 1, inputs.length - 1)]; break;
      case "ArrowLeft": case "ArrowUp": target = inputs[Math.max(at - 1, 0)]; break;
      case "Home": target = inputs[0]; break;
      case "End": target = inputs[inputs.length - 1]; break;
      case "Enter":  // Space is the box's own; Enter would send the form
        event.preventDefault();
        input.click();
        return;
      case "PageDown": case "PageUp": {
        const link = picker.querySelector(`[data-week-nav="${event.key === "PageDown" ? "next" : "previous"}"]`);
        if (link) { event.preventDefault(); link.click(); }
        return;
      }
      default: return;
    }
    event.preventDefault();
    if (target) moveTo(picker, target);
  });

  // A click, a tap, Space or Enter: that time becomes the Tab stop; where one time only may be
  // chosen (radios), the one kept from another week goes.
  document.addEventListener("click", (event) => {
    const input = event.target.closest(".week-time input");
    const picker = input && input.closest("[data-week-picker]");
    if (!picker) return;
    times(picker).forEach((other) => { other.tabIndex = other === input ? 0 : -1; });
    if (input.type === "radio" || picker.dataset.multiple === "false") {
      picker.querySelectorAll("[data-chosen-elsewhere]").forEach((hidden) => hidden.remove());
    }
  });

  // The phone's day tabs scroll their day into view inside the picker.
  document.addEventListener("click", (event) => {
    const tab = event.target.closest(".week-tabs a");
    if (!tab) return;
    const day = document.getElementById(tab.getAttribute("href").slice(1));
    if (day) { event.preventDefault(); day.scrollIntoView({block: "nearest", inline: "start"}); }
  });

  // After HTMX swapped a week in, focus goes back to the link used (or to the times).
  let lastNav = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const nav = event.target.closest && event.target.closest("[data-week-nav]");
    lastNav = nav ? nav.dataset.weekNav : null;
  });
  document.addEventListener("htmx:load", (event) => {
    const root = event.target;
    const pickers = root.matches && root.matches("[data-week-picker]")
      ? [root] : [...root.querySelectorAll("[data-week-picker]")];
    pickers.forEach(setUp);
    if (lastNav && pickers.length && root !== document.body) {
      const picker = pickers[0];
      const target = picker.querySelector(`[data-week-nav="${lastNav}"]`)
        || times(picker).find((input) => input.tabIndex === 0) || picker;
      lastNav = null;
      target.focus();
    }
  });
  const start = () => document.querySelectorAll("[data-week-picker]").forEach(setUp);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
