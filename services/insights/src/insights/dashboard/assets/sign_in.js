// The sign-in form: keeps the token in this tab's session storage (never in a URL) and
// opens the community's page.
"use strict";

const TOKEN_KEY = "insights.token";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("sign-in");
  const params = new URLSearchParams(location.search);
  form.community.value = params.get("community") || "";
  form.group.value = params.get("group_id") || "";
  if (params.get("expired")) {
    const error = document.getElementById("sign-in-error");
    error.textContent = "Your sign-in has expired or is not valid. Sign in again.";
    error.hidden = false;
  }
  (form.community.value ? form.token : form.community).focus();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = form.token.value.trim().replace(/^Bearer\s+/i, "");
    const community = form.community.value.trim();
    if (!token || !community) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    const group = form.group.value.trim();
    location.assign(`/communities/${encodeURIComponent(community)}` +
      (group ? `?group_id=${encodeURIComponent(group)}` : ""));
  });
});
