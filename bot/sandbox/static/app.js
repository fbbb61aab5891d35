// The sandbox page: plays Telegram over the sandbox's API, live through server-sent events.
"use strict";

const state = {
  world: null,
  persona: null,
  chatId: null,
  seen: {},          // chat id -> message count the user has seen
  lastSignature: "", // of the open chat's messages, to redraw only on change
  replyTo: null,
};
const $ = (id) => document.getElementById(id);
// The page's words in the sandbox's language, from the catalogs (GET /api/texts).
let TEXTS = {};
const t = (key, values = {}) =>
  (TEXTS[key] || key).replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
const eventLabel = (action) =>
  action === "offline" ? `🔌 ${t("unplug")}` : action === "online" ? `🔋 ${t("plug_in")}` : t(`event_${action}`);

function applyTexts() {
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const attr of ["title", "placeholder", "aria-label"]) {
    for (const node of document.querySelectorAll(`[data-t-${attr}]`)) {
      node.setAttribute(attr, t(node.getAttribute(`data-t-${attr}`)));
    }
  }
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.description || response.statusText);
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function persona(id) {
  return state.world.personas.find((p) => p.id === id);
}

function chat(id) {
  return state.world.chats.find((c) => c.id === id);
}

function chatName(c) {
  if (c.type === "group") return c.title;
  const p = persona(c.owner);
  return `🔒 ${p.name} ↔ bot`;
}

function initials(text) {
  return text.replace(/[^\p{L}\p{N} ]/gu, "").trim().split(/\s+/).slice(-2).map((w) => w[0]).join("").toUpperCase();
}

// --- the world ------------------------------------------------------------------------------

async function loadWorld() {
  state.world = await api("/api/world");
  if (state.persona === null) {
    const select = $("persona");
    for (const p of state.world.personas) {
      select.append(el("option", { value: p.id }, p.title === p.role ? `${p.name} — ${p.title}` : `${p.name} — ${p.title} · ${p.role}`));
    }
    state.persona = state.world.personas[0].id;
    select.value = String(state.persona);
  }
  drawChats();
  drawClock();
  drawDrill(state.world.drill);
}

function drawChats() {
  const list = $("chats");
  list.replaceChildren();
  const visible = state.world.chats.filter((c) => c.type === "group" || c.owner === state.persona || c.count > 0);
  for (const c of visible) {
    const unseen = c.count - (state.seen[c.id] ?? 0);
    const preview = c.last ? c.last.html.replace(/<[^>]+>/g, " ").replace(/&[a-z#0-9]+;/gi, " ").slice(0, 90) : "";
    list.append(el("li", {
      "data-chat": c.id,
      class: c.id === state.chatId ? "active" : "",
      onclick: () => openChat(c.id),
    },
    el("div", { class: `avatar ${c.type}` }, initials(c.type === "group" ? c.title : persona(c.owner).name)),
    el("div", { class: "chat-text" },
      el("div", { class: "chat-name" }, chatName(c)),
      el("div", { class: "preview" }, c.last ? `${c.last.from.name}: ${preview}` : "—")),
    unseen > 0 && c.id !== state.chatId ? el("span", { class: "badge new" }, String(unseen)) : null));
  }
}

function drawClock() {
  const clock = state.world.clock;
  const now = new Date(clock.now);
  const text = now.toLocaleString("vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit",
  });
  $("clock").textContent = `🕑 ${text}` + (clock.speed !== 1 ? `  ×${clock.speed}` : "");
}

// --- a chat ---------------------------------------------------------------------------------

async function openChat(id) {
  state.opened = (state.opened ?? 0) + 1;
  state.chatId = id;
  state.lastSignature = "";
  const c = chat(id);
  if (c.type === "private" && c.owner !== state.persona) setPersona(c.owner);
  document.body.classList.add("in-chat");
  $("chat-title").textContent = chatName(c);
  await refreshChat();
  drawChats();
}

function setPersona(id) {
  state.persona = id;
  $("persona").value = String(id);
  const c = chat(state.chatId);
  if (c && c.type === "private" && c.owner !== id) {
    openChat(id);
    return;
  }
  drawChats();
  drawComposer();
  state.lastSignature = "";
  refreshChat();
}

function drawComposer() {
  const c = chat(state.chatId);
  const p = persona(state.persona);
  if (!c) return;
  const who = c.type === "group"
    ? t("group_sub", { count: c.members.length, name: p.name, role: p.role })
    : t("private_sub", { name: p.name });
  $("chat-sub").textContent = who;
}

async function refreshChat() {
  if (state.chatId === null) return;
  const id = state.chatId;
  const data = await api(`/api/chats/${id}/messages`);
  if (id !== state.chatId) return;
  const signature = JSON.stringify(data.messages) + state.persona;
  state.seen[id] = data.messages.length;
  drawComposer();
  if (signature === state.lastSignature) return;
  state.lastSignature = signature;
  drawMessages(data.messages);
}

function drawMessages(messages) {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.replaceChildren();
  let day = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.date !== day) {
      day = m.date;
      box.append(el("div", { class: "day" }, day));
    }
    // An album: consecutive photos sharing a media group are one bubble.
    const album = [m];
    while (m.media_group_id && i + 1 < messages.length && messages[i + 1].media_group_id === m.media_group_id) {
      album.push(messages[++i]);
    }
    box.append(drawMessage(album));
  }
  if (atBottom || box.dataset.chat !== String(state.chatId)) box.scrollTop = box.scrollHeight;
  box.dataset.chat = String(state.chatId);
}

function drawMessage(album) {
  const m = album[album.length - 1];
  const first = album[0];
  const own = first.from.id === state.persona;
  const c = chat(first.chat_id);
  const bubble = el("div", { class: "bubble" });
  if (!own && c && c.type === "group") {
    bubble.append(el("div", { class: first.from.is_bot ? "sender bot" : "sender" }, first.from.name));
  }
  if (first.reply_to) {
    bubble.append(el("div", { class: "reply" }, `${first.reply_to.from}: ${first.reply_to.text}`));
  }
  const photos = album.filter((x) => x.photo);
  if (photos.length > 1) {
    bubble.append(el("div", { class: "album" }, ...photos.map((x) => photoNode(x))));
  } else if (photos.length === 1) {
    bubble.append(photoNode(photos[0]));
  }
  for (const x of album) {
    if (x.document) {
      bubble.append(el("a", { class: "doc", href: x.document.url, download: x.document.name },
        el("span", { class: "icon" }, "📄"),
        el("span", {}, x.document.name, el("br"), el("em", {}, `${Math.ceil(x.document.size / 1024)} KB`))));
    }
  }
  const captioned = album.find((x) => x.html);
  const meta = el("span", { class: "meta" }, (m.edited ? `${t("edited")} · ` : "") + m.time);
  const text = el("div", { class: "text", html: captioned ? captioned.html : "" });
  text.append(meta);
  bubble.append(text);
  const node = el("div", {
    class: own ? "msg own" : "msg",
    "data-id": m.message_id,
    "data-from": first.from.id,
  }, bubble);
  const rows = m.buttons || [];
  if (rows.length) {
    node.append(el("div", { class: "kb" }, ...rows.map((row) => el("div", { class: "row" },
      ...row.map((b) => el("button", {
        type: "button",
        "data-data": b.callback_data,
        onclick: (event) => pressButton(m, b, event.currentTarget),
      }, b.text))))));
  }
  node.append(el("span", { class: "actions" },
    el("button", { type: "button", onclick: () => replyTo(m) }, `↩ ${t("reply")}`)));
  return node;
}

function photoNode(m) {
  return el("img", {
    src: m.photo, alt: t("photo"), loading: "lazy",
    onclick: () => window.open(m.photo, "_blank"),
  });
}

function replyTo(m) {
  state.replyTo = m.message_id;
  const box = $("replying");
  box.hidden = false;
  box.querySelector("span").textContent = `↩ ${m.from.name}: ${m.html.replace(/<[^>]+>/g, " ").slice(0, 60)}`;
  $("text").focus();
}

async function pressButton(message, button, node) {
  if (button.url) {
    window.open(button.url, "_blank");
    return;
  }
  node.disabled = true;
  try {
    const answer = await api("/api/press", {
      chat_id: message.chat_id,
      message_id: message.message_id,
      user_id: state.persona,
      data: button.callback_data,
    });
    if (answer.answered && answer.text) {
      if (answer.show_alert) showPopup(answer.text);
      else showToast(answer.text);
    }
  } catch (error) {
    showToast(error.message);
  } finally {
    node.disabled = false;
  }
}

function showPopup(text) {
  $("popup").querySelector(".text").textContent = text;
  $("popup").hidden = false;
  $("popup-ok").focus();
}

let toastTimer = null;
function showToast(text) {
  const toast = $("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 3500);
}

async function send(event) {
  event.preventDefault();
  const input = $("text");
  const text = input.value;
  if (!text.trim() || state.chatId === null) return;
  try {
    await api("/api/send", {
      chat_id: state.chatId, user_id: state.persona, text, reply_to: state.replyTo,
    });
    input.value = "";
    state.replyTo = null;
    $("replying").hidden = true;
  } catch (error) {
    showToast(error.message);
  }
}

// --- cameras and drills ---------------------------------------------------------------------

function openPanel(which) {
  $("panel").hidden = false;
  $("cameras-panel").hidden = which !== "cameras";
  $("drills-panel").hidden = which !== "drills";
  if (which === "cameras") drawCameras();
  if (which === "drills") drawDrills();
}

function drawCameras() {
  const box = $("cameras");
  box.replaceChildren();
  for (const camera of state.world.cameras) {
    const actions = [...state.world.camera_events, "offline", "online"];
    box.append(el("div", { class: "camera" },
      el("div", { class: "name" }, `CAM ${camera.number} · ${camera.name}`),
      ...actions.map((action) => el("button", {
        type: "button",
        "data-camera": camera.key,
        "data-event": action,
        onclick: async () => {
          try {
            await api(`/api/cameras/${camera.key}/${action}`, {});
            showToast(`CAM ${camera.number}: ${eventLabel(action)}`);
          } catch (error) { showToast(error.message); }
        },
      }, eventLabel(action)))));
  }
}

async function drawDrills() {
  const { drills } = await api("/api/drills");
  const box = $("drills");
  box.replaceChildren();
  for (const drill of drills) {
    box.append(el("div", { class: "drill" },
      el("div", { class: "title" }, drill.title),
      el("p", {}, drill.description),
      el("button", {
        type: "button",
        "data-drill": drill.name,
        onclick: async () => {
          try {
            const speed = Number($("speed").value) || drill.speed;
            await api(`/api/drills/${drill.name}`, { speed });
            showToast(`▶ ${drill.title}`);
          } catch (error) { showToast(error.message); }
        },
      }, `▶ ${t("start_drill", { speed: drill.speed })}`)));
  }
}

function drawDrill(drill) {
  const status = $("drill-status");
  const report = $("report");
  if (!drill) {
    status.replaceChildren();
    report.replaceChildren();
    return;
  }
  const head = drill.running
    ? `⏳ ${drill.title} — ${t("drill_step", { step: drill.step, steps: drill.steps })} (×${drill.speed})`
    : `🏁 ${drill.title}` + (drill.error ? ` — ${t("drill_stopped", { error: drill.error })}` : "");
  status.replaceChildren(el("h3", {}, head), el("ol", {}, ...drill.log.map((line) => el("li", {}, line))));
  report.replaceChildren();
  if (!drill.report) return;
  const r = drill.report;
  const table = el("table", { class: "checks" },
    el("tr", {}, el("th", {}, t("rule")), el("th", {}, t("case")), el("th", {}, t("verdict"))));
  for (const check of r.checks) {
    table.append(el("tr", { "data-verdict": check.verdict },
      el("td", {}, check.rule),
      el("td", {}, check.subject),
      el("td", { class: `verdict-${check.verdict}` }, `${check.verdict_label} — ${check.detail}`)));
  }
  report.append(el("h3", {}, t("drill_report")), table);
  for (const line of r.timelines) {
    report.append(el("h4", {}, line.subject), el("ol", {},
      ...line.stages.map((s) => el("li", {}, `${s.at} ${s.label}` + (s.after ? ` (+${s.after})` : "")))));
  }
  report.append(el("p", { class: "note" }, t("report_file", { path: r.file })));
}

// --- live updates ---------------------------------------------------------------------------

let pending = null;
function scheduleRefresh() {
  if (pending) return;
  pending = setTimeout(async () => {
    pending = null;
    try {
      await loadWorld();
      await refreshChat();
    } catch (error) {
      console.warn(error);
    }
  }, 60);
}

function listen() {
  const source = new EventSource("/api/events");
  source.onmessage = scheduleRefresh;
  source.onerror = () => { $("clock").classList.add("offline"); };
  source.onopen = () => { $("clock").classList.remove("offline"); scheduleRefresh(); };
}

async function start() {
  TEXTS = await api("/api/texts");
  applyTexts();
  $("persona").addEventListener("change", (e) => setPersona(Number(e.target.value)));
  $("composer").addEventListener("submit", send);
  $("back").addEventListener("click", () => { document.body.classList.remove("in-chat"); });
  $("cancel-reply").addEventListener("click", () => { state.replyTo = null; $("replying").hidden = true; });
  $("popup-ok").addEventListener("click", () => { $("popup").hidden = true; });
  $("open-cameras").addEventListener("click", () => openPanel("cameras"));
  $("open-drills").addEventListener("click", () => openPanel("drills"));
  $("panel").addEventListener("click", (e) => {
    if (e.target === $("panel") || e.target.hasAttribute("data-close")) $("panel").hidden = true;
  });
  await loadWorld();
  const group = state.world.chats.find((c) => c.type === "group");
  const opened = state.opened ?? 0;
  await openChat(group.id);
  // On a phone the list comes first, unless a chat was tapped while this one loaded.
  const tapped = state.opened > opened + 1;
  if (window.matchMedia("(max-width: 720px)").matches && !tapped) {
    document.body.classList.remove("in-chat");
  }
  listen();
  // The clock moves between changes too, fast in a drill.
  setInterval(() => api("/api/world").then((w) => { state.world = w; drawClock(); }).catch(() => {}), 2000);
}

start();
