// A space's insights as charts, refreshed every REFRESH_MS from the JSON API with the token
// the sign-in page left in this tab's session storage. Charts are made once and updated in
// place (echarts setOption), and only when the figures changed, so a refresh never flickers.
"use strict";

const TOKEN_KEY = "insights.token";
// SPEC §7 asks for at least every 5 s; 2 s keeps a new post's way to the page (event
// pipeline + this wait) well inside 5 s, at one GetInsights per open page every 2 s.
const REFRESH_MS = 2000;
const ENGAGEMENT_KINDS = [
  ["posts", "Posts"], ["comments", "Comments"], ["likes", "Likes"], ["shares", "Shares"],
  ["announcements", "Announcements"], ["live_sessions", "Live sessions"],
  ["live_joins", "Live joins"],
];
// `warnings` is shown once GetInsights answers it (the JSON lists every field it has).
const MODERATION_COUNTS = [
  ["reports", "Reports"], ["content_removed", "Content removed"],
  ["members_muted", "Members muted"], ["members_banned", "Members banned"],
  ["warnings", "Warnings"],
];
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const HOURS = Array.from({length: 24}, (_, h) => String(h).padStart(2, "0"));

const page = {
  communityId: decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || ""),
  token: sessionStorage.getItem(TOKEN_KEY),
  charts: {},
  shown: "",          // the last figures drawn, to skip redrawing identical ones
  fetchedAt: null,    // when figures were last received
  asOf: null,
  timer: null,
  inFlight: null,
};

const $ = (id) => document.getElementById(id);
const number = (value) => Number(value || 0);
const formatCount = (value) => number(value).toLocaleString();

document.addEventListener("DOMContentLoaded", () => {
  if (!page.token) {
    location.replace(`/?community=${encodeURIComponent(page.communityId)}` +
      groupSuffix(new URLSearchParams(location.search).get("group_id")));
    return;
  }
  setUpSelectors();
  setUpCharts();
  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.assign(`/?community=${encodeURIComponent(page.communityId)}`);
  });
  loadGroups();
  refresh();
  setInterval(showFreshness, 1000);
});

function groupSuffix(group) {
  return group ? `&group_id=${encodeURIComponent(group)}` : "";
}

// ---------------------------------------------------------------- selectors

function setUpSelectors() {
  const params = new URLSearchParams(location.search);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const zones = new Set(["UTC", ...(Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [])]);
  const zone = params.get("time_zone") || browserZone;
  zones.add(zone);
  const zoneSelect = $("time-zone");
  for (const name of [...zones].sort()) zoneSelect.add(new Option(name, name));
  zoneSelect.value = zone;
  if (["7", "28", "60"].includes(params.get("range_days"))) $("range").value = params.get("range_days");
  const group = params.get("group_id");
  if (group) $("group").add(new Option(`Group ${group}`, group));
  $("group").value = group || "";

  // The server decides "today" in the chosen zone; these bounds only guide the picker.
  const asOf = $("as-of-date");
  const today = new Date();
  asOf.max = isoDate(today);
  asOf.min = isoDate(new Date(today.getTime() - 365 * 86400000));
  asOf.value = params.get("as_of_date") || "";
  $("as-of-hint").textContent = "Empty: now. A past day shows the figures as they were at its end.";
  $("selectors").addEventListener("change", () => {
    history.replaceState(null, "", `${location.pathname}?${query().toString()}`);
    page.shown = "";
    refresh();
  });
  $("selectors").addEventListener("submit", (event) => event.preventDefault());
}

function isoDate(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-` +
    String(date.getDate()).padStart(2, "0");
}

function query() {
  const params = new URLSearchParams();
  params.set("range_days", $("range").value);
  params.set("time_zone", $("time-zone").value);
  if ($("group").value) params.set("group_id", $("group").value);
  if ($("as-of-date").value) params.set("as_of_date", $("as-of-date").value);
  return params;
}

async function loadGroups() {
  try {
    const response = await fetch(
      `/api/v1/communities/${encodeURIComponent(page.communityId)}/groups`,
      {headers: {Authorization: `Bearer ${page.token}`}, cache: "no-store"});
    if (!response.ok) return;  // the figures' own request says why, in a sentence
    const select = $("group");
    const chosen = select.value;
    for (const option of [...select.options]) if (option.value) option.remove();
    for (const group of (await response.json()).groups) {
      select.add(new Option(`Group ${group.group_id} · ${group.member_count} members`,
        group.group_id));
    }
    if (chosen && ![...select.options].some((o) => o.value === chosen)) {
      select.add(new Option(`Group ${chosen}`, chosen));
    }
    select.value = chosen;
  } catch (error) {
    // Unreachable for now: the group list is a convenience, the next refresh shows the state.
  }
}

// ---------------------------------------------------------------- the refresh loop

async function refresh() {
  clearTimeout(page.timer);
  const url = `/api/v1/communities/${encodeURIComponent(page.communityId)}/insights?${query()}`;
  page.inFlight = url;
  try {
    const response = await fetch(url, {
      headers: {Authorization: `Bearer ${page.token}`}, cache: "no-store"});
    const body = await response.json();
    if (page.inFlight !== url) return;  // the selection changed meanwhile; its answer wins
    if (response.ok) {
      showFigures(body);
    } else {
      showRefusal(response.status, body);
      if (response.status === 401) return;
    }
  } catch (error) {
    if (page.inFlight !== url) return;
    showNotice("Cannot reach the insights service; trying again…", true);
  }
  page.timer = setTimeout(refresh, REFRESH_MS);
}

function showRefusal(status, body) {
  const metadata = body.metadata || {};
  const space = $("group").value ? "group" : "community";
  if (status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    location.replace(`/?community=${encodeURIComponent(page.communityId)}&expired=1` +
      groupSuffix($("group").value));
    return;
  }
  let sentence;
  if (body.reason === "INSIGHTS_THRESHOLD_NOT_MET") {
    const day = $("as-of-date").value;
    sentence = `Insights appear once this ${space} has more than ${metadata.threshold} members ` +
      (day ? `(at the end of ${day}: ${metadata.member_count})` : `(now: ${metadata.member_count})`);
  } else if (body.reason === "ROLE_REQUIRED") {
    sentence = "Only moderators, admins and the owner of this community can see its insights.";
  } else if (body.reason === "NOT_A_MEMBER") {
    sentence = "You are not a member of this community, so you cannot see its insights.";
  } else if (body.reason === "COMMUNITY_NOT_FOUND") {
    sentence = `There is no community with the id ${page.communityId}.`;
  } else if (body.reason === "GROUP_NOT_FOUND") {
    sentence = `This community has no group with the id ${$("group").value}.`;
  } else if (status === 503) {
    showNotice("The figures are catching up; trying again…", true);
    return;
  } else {
    sentence = `These figures cannot be shown: ${body.message || `error ${status}`}.`;
  }
  showNotice(sentence, false);
  page.shown = "";
  page.fetchedAt = null;
  $("member-count").textContent = "–";
  $("freshness").textContent = "no figures";
}

// A refusal hides the figures; a passing trouble (keepFigures) leaves the last ones shown.
function showNotice(sentence, keepFigures) {
  const notice = $("refusal");
  if (notice.textContent !== sentence) notice.textContent = sentence;
  notice.hidden = false;
  $("figures").hidden = !keepFigures || !page.shown;
}

// ---------------------------------------------------------------- figures

function showFigures(figures) {
  page.fetchedAt = Date.now();
  page.asOf = figures.as_of ? new Date(figures.as_of) : null;
  $("refusal").hidden = true;
  $("figures").hidden = false;
  $("figures").setAttribute("aria-busy", "false");
  const drawn = JSON.stringify(figures);
  if (drawn !== page.shown) {
    page.shown = drawn;
    draw(figures);
  }
  showFreshness();
}

function showFreshness() {
  if (page.fetchedAt === null) return;
  const seconds = Math.max(0, Math.round((Date.now() - page.fetchedAt) / 1000));
  const complete = page.asOf ? `complete up to ${formatTime(page.asOf)}` : "no activity yet";
  const text = `${complete} · checked ${seconds} s ago`;
  if ($("freshness").textContent !== text) $("freshness").textContent = text;
  $("freshness").classList.toggle("stale", seconds > 3 * REFRESH_MS / 1000);
}

function formatTime(date) {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: $("time-zone").value, dateStyle: "medium", timeStyle: "medium"}).format(date);
}

function draw(f) {
  const group = f.group_id;
  document.title = `Insights · ${group ? `group ${group}` : `community ${f.community_id}`}`;
  $("space-title").textContent = group
    ? `Group ${group} of community ${f.community_id}` : `Community ${f.community_id}`;
  $("member-count").textContent = formatCount(f.member_count);
  for (const zone of document.querySelectorAll(".zone-name")) zone.textContent = f.time_zone;

  const tiles = {
    ...Object.fromEntries(["joins", "leaves", "posts", "comments", "likes", "shares"]
      .map((name) => [name, formatCount(f[name])])),
    net_growth: (number(f.net_growth) > 0 ? "+" : "") + formatCount(f.net_growth),
    active: `${formatCount(f.active_members_1d)} / ${formatCount(f.active_members_7d)} / ` +
      formatCount(f.active_members_28d),
    engagement_rate: `${Math.round(number(f.engagement_rate) * 100)}%`,
  };
  for (const [name, text] of Object.entries(tiles)) {
    const tile = document.querySelector(`[data-figure="${name}"]`);
    if (tile.textContent !== text) tile.textContent = text;
  }
  drawGrowth(f);
  drawEngagement(f);
  drawPopular(f);
  drawContributors(f);
  drawTopPosts(f);
  drawModeration(f);
}

function drawGrowth(f) {
  const days = f.daily.map((d) => d.date);
  const joins = f.daily.map((d) => number(d.joins));
  const leaves = f.daily.map((d) => number(d.leaves));
  // Members at the end of each day: today's count less the net joins of the days after it.
  const members = new Array(days.length);
  let count = number(f.member_count);
  for (let i = days.length - 1; i >= 0; i--) {
    members[i] = count;
    count -= joins[i] - leaves[i];
  }
  page.charts.growth.setOption({
    xAxis: {data: days},
    series: [{name: "Members", data: members}, {name: "Joins", data: joins},
      {name: "Leaves", data: leaves}],
  });
  fillTable("growth-table", days.map((day, i) => [day, members[i], joins[i], leaves[i]]));
}

function drawEngagement(f) {
  const days = f.daily.map((d) => d.date);
  page.charts.engagement.setOption({
    xAxis: {data: days},
    series: ENGAGEMENT_KINDS.map(([key, name]) => ({
      name, data: f.daily.map((d) => number(d[key]))})),
  });
  const head = $("engagement-table").tHead;
  if (!head.rows.length) {
    const row = head.insertRow();
    for (const title of ["Day", ...ENGAGEMENT_KINDS.map(([, name]) => name)]) {
      const cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = title;
      row.append(cell);
    }
  }
  fillTable("engagement-table", f.daily.map((d) =>
    [d.date, ...ENGAGEMENT_KINDS.map(([key]) => number(d[key]))]));
}

function drawPopular(f) {
  const hours = f.popular_hours.map(number);
  const days = f.popular_days.map(number);
  page.charts.popular.setOption({
    visualMap: [{max: Math.max(1, ...hours)}, {max: Math.max(1, ...days)}],
    series: [{data: hours.map((count, hour) => [hour, 0, count])},
      {data: days.map((count, day) => [day, 0, count])}],
  });
  fillTable("hours-table", hours.map((count, hour) => [`${HOURS[hour]}:00`, count]));
  fillTable("days-table", days.map((count, day) => [WEEKDAYS[day], count]));
}

function drawContributors(f) {
  // Highest on top: a horizontal bar chart's category axis runs bottom-up.
  const ranked = [...f.top_contributors].reverse();
  page.charts.contributors.setOption({
    yAxis: {data: ranked.map((c) => c.user_id)},
    series: [{data: ranked.map((c) => number(c.score))}],
  });
  fillTable("contributors-table", f.top_contributors.map((c) => [c.user_id, number(c.score)]));
}

function drawTopPosts(f) {
  const list = $("top-posts");
  list.replaceChildren(...f.top_posts.map((post) => {
    const item = document.createElement("li");
    const id = document.createElement("span");
    id.className = "post-id";
    id.textContent = post.post_id;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = `${formatCount(post.engagement)} comments, likes and shares`;
    item.append(id, count);
    return item;
  }));
  if (!f.top_posts.length) {
    const item = document.createElement("li");
    item.className = "empty";
    item.textContent = "No post has comments, likes or shares in this range.";
    list.append(item);
  }
}

function drawModeration(f) {
  const list = $("moderation");
  list.replaceChildren(...MODERATION_COUNTS.filter(([key]) => key in f).map(([key, name]) => {
    const pair = document.createElement("div");
    const term = document.createElement("dt");
    term.textContent = name;
    const value = document.createElement("dd");
    value.dataset.figure = key;
    value.textContent = formatCount(f[key]);
    pair.append(term, value);
    return pair;
  }));
}

function fillTable(id, rows) {
  const body = $(id).tBodies[0];
  body.replaceChildren(...rows.map((cells) => {
    const row = document.createElement("tr");
    cells.forEach((cell, i) => {
      const element = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) element.scope = "row";
      element.textContent = typeof cell === "number" ? cell.toLocaleString() : cell;
      row.append(element);
    });
    return row;
  }));
}

// ---------------------------------------------------------------- charts (made once)

function setUpCharts() {
  const common = {
    // A canvas tooltip: an HTML one would carry inline styles the page's CSP refuses.
    tooltip: {trigger: "axis", renderMode: "richText"},
    aria: {enabled: true},
    animationDurationUpdate: 300,
    textStyle: {fontFamily: "system-ui, sans-serif"},
  };
  const make = (id, option) => {
    const chart = echarts.init($(id), null, {renderer: "canvas"});
    chart.setOption({...common, ...option});
    new ResizeObserver(() => chart.resize()).observe($(id));
    return chart;
  };
  page.charts.growth = make("growth-chart", {
    legend: {bottom: 0},
    grid: {left: 48, right: 48, top: 32, bottom: 56},
    xAxis: {type: "category", data: []},
    yAxis: [{type: "value", name: "members", minInterval: 1},
      {type: "value", name: "per day", minInterval: 1, splitLine: {show: false}}],
    series: [
      {name: "Members", type: "line", showSymbol: false, data: []},
      {name: "Joins", type: "line", yAxisIndex: 1, showSymbol: false, data: []},
      {name: "Leaves", type: "line", yAxisIndex: 1, showSymbol: false, data: []},
    ],
  });
  page.charts.engagement = make("engagement-chart", {
    legend: {bottom: 0, type: "scroll"},
    grid: {left: 48, right: 16, top: 16, bottom: 56},
    xAxis: {type: "category", data: []},
    yAxis: {type: "value", minInterval: 1},
    series: ENGAGEMENT_KINDS.map(([, name]) => ({name, type: "bar", stack: "engagement", data: []})),
  });
  page.charts.popular = make("popular-chart", {
    tooltip: {trigger: "item", renderMode: "richText"},
    grid: [{left: 48, right: 16, top: 8, height: 48}, {left: 48, right: 16, top: 96, height: 48}],
    xAxis: [{type: "category", data: HOURS, gridIndex: 0, splitArea: {show: true}},
      {type: "category", data: WEEKDAYS.map((d) => d.slice(0, 3)), gridIndex: 1,
        splitArea: {show: true}}],
    yAxis: [{type: "category", data: ["Hour"], gridIndex: 0},
      {type: "category", data: ["Day"], gridIndex: 1}],
    visualMap: [
      {seriesIndex: 0, min: 0, max: 1, show: false, inRange: {color: ["#eef3fb", "#1f4e8c"]}},
      {seriesIndex: 1, min: 0, max: 1, show: false, inRange: {color: ["#eef3fb", "#1f4e8c"]}},
    ],
    series: [
      {name: "Actions by hour", type: "heatmap", xAxisIndex: 0, yAxisIndex: 0, data: [],
        label: {show: true, fontSize: 10}},
      {name: "Actions by day of week", type: "heatmap", xAxisIndex: 1, yAxisIndex: 1, data: [],
        label: {show: true}},
    ],
  });
  page.charts.contributors = make("contributors-chart", {
    tooltip: {trigger: "axis", renderMode: "richText"},
    grid: {left: 8, right: 24, top: 8, bottom: 24, containLabel: true},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", data: []},
    series: [{name: "Score", type: "bar", data: [], label: {show: true, position: "right"}}],
  });
}
