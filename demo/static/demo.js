// The demo page: pick a persona, see its chat, write, send files, press buttons.
// Every message's HTML comes already escaped from the server (demo/telegram_html.py);
// everything else is put in the page as text (textContent), never as markup.
"use strict";

const state = { persona: "facilitador", isGroup: false, version: "", seen: {}, counts: {} };
const log = document.getElementById("log");
const toast = document.getElementById("toast");
const text = document.getElementById("text");
const asSelect = document.getElementById("as");

function say(message, isError) {
  toast.textContent = message;
  toast.classList.toggle("error", Boolean(isError));
}

async function post(path, body, isForm) {
  const options = { method: "POST", headers: { "X-Demo": "1" } };
  if (isForm) {
    options.body = body;
  } else {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(answer.error || "La demostración no pudo hacerlo.");
  }
  return answer;
}

function writer() {
  return state.isGroup ? asSelect.value : state.persona;
}

function bubble(message) {
  const item = document.createElement("article");
  item.className = "bubble " + (message.from_bot ? "bot" : message.mine ? "mine" : "other");
  item.dataset.messageId = String(message.id);
  const head = document.createElement("p");
  head.className = "meta";
  head.textContent = message.sender + " · " + message.time + (message.edited ? " · editado" : "");
  item.appendChild(head);
  if (message.html) {
    const body = document.createElement("div");
    body.className = "body";
    body.innerHTML = message.html; // escaped and rebuilt server-side
    item.appendChild(body);
  }
  if (message.document) {
    const link = document.createElement("a");
    link.className = "document";
    link.href = message.document.url;
    link.setAttribute("download", message.document.name);
    link.textContent = "Descargar " + message.document.name + " (" + Math.ceil(message.document.size / 1024) + " KB)";
    item.appendChild(link);
  }
  for (const row of message.buttons) {
    const line = document.createElement("div");
    line.className = "keyboard";
    for (const cell of row) {
      if (cell.url) {
        const link = document.createElement("a");
        link.className = "key";
        link.href = cell.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = cell.text;
        line.appendChild(link);
        continue;
      }
      const key = document.createElement("button");
      key.type = "button";
      key.className = "key";
      key.textContent = cell.text;
      key.disabled = !cell.pressable;
      key.addEventListener("click", () => press(message.id, cell.index, key));
      line.appendChild(key);
    }
    item.appendChild(line);
  }
  return item;
}

function draw(messages) {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  log.replaceChildren(...messages.map(bubble));
  if (messages.length === 0) {
    const empty = document.createElement("p");
    empty.className = "empty";
    empty.textContent = "Aún no hay mensajes en este chat.";
    log.appendChild(empty);
  }
  if (atBottom || state.fresh) {
    log.scrollTop = log.scrollHeight;
    state.fresh = false;
  }
}

function badges() {
  for (const button of document.querySelectorAll(".persona")) {
    const key = button.dataset.key;
    const count = state.counts[key] || 0;
    if (key === state.persona) state.seen[key] = count;
    const unseen = count - (state.seen[key] ?? count);
    const badge = button.querySelector(".badge");
    badge.hidden = unseen <= 0;
    badge.textContent = unseen > 0 ? String(unseen) : "";
  }
}

async function refresh() {
  const persona = state.persona;
  try {
    const response = await fetch("/api/chats/" + encodeURIComponent(persona) + "?v=" + state.version);
    const answer = await response.json();
    if (persona !== state.persona) return; // switched meanwhile
    document.getElementById("bot-down").hidden = answer.bot !== false;
    for (const [key, count] of Object.entries(answer.counts)) {
      if (!(key in state.seen)) state.seen[key] = count;
    }
    state.counts = answer.counts;
    if (answer.messages) {
      state.version = answer.version;
      draw(answer.messages);
    }
    badges();
  } catch (error) {
    document.getElementById("bot-down").hidden = false;
  }
}

function choose(key) {
  const button = document.querySelector('.persona[data-key="' + CSS.escape(key) + '"]');
  if (!button) return;
  state.persona = key;
  state.isGroup = button.dataset.group === "true";
  state.version = "";
  state.fresh = true;
  for (const other of document.querySelectorAll(".persona")) {
    other.setAttribute("aria-pressed", String(other === button));
  }
  const who = button.querySelector(".who").textContent;
  document.getElementById("chat-title").textContent = state.isGroup
    ? "Chat del grupo «" + who + "»"
    : "Chat privado de " + who + " con el bot";
  document.getElementById("as-row").hidden = !state.isGroup;
  document.getElementById("text-label").textContent = state.isGroup
    ? "Mensaje en el grupo"
    : "Mensaje o comando como " + who;
  log.replaceChildren();
  refresh();
}

async function press(messageId, index, key) {
  key.disabled = true;
  say("Enviando la pulsación…");
  try {
    const answer = await post("/api/chats/" + encodeURIComponent(state.persona) + "/buttons", {
      message_id: messageId, index: index, as: writer(),
    });
    say(answer.answer ? "Bot: " + answer.answer : "Botón pulsado.", answer.alert);
  } catch (error) {
    say(error.message, true);
  } finally {
    key.disabled = false;
    refresh();
  }
}

async function send(event) {
  event.preventDefault();
  const file = document.getElementById("file");
  try {
    if (file.files.length) {
      const form = new FormData();
      form.append("file", file.files[0]);
      form.append("caption", text.value);
      form.append("as", writer());
      await post("/api/chats/" + encodeURIComponent(state.persona) + "/documents", form, true);
      file.value = "";
    } else {
      await post("/api/chats/" + encodeURIComponent(state.persona) + "/messages", {
        text: text.value, as: writer(),
      });
    }
    text.value = "";
    say("Enviado.");
    state.fresh = true;
  } catch (error) {
    say(error.message, true);
  }
  refresh();
}

document.getElementById("composer").addEventListener("submit", send);
text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    document.getElementById("composer").requestSubmit();
  }
});
for (const button of document.querySelectorAll(".persona")) {
  button.addEventListener("click", () => choose(button.dataset.key));
}
for (const button of document.querySelectorAll(".fill")) {
  button.addEventListener("click", () => {
    choose(button.dataset.persona);
    text.value = button.dataset.text;
    text.focus();
  });
}
choose(state.persona);
setInterval(refresh, 1000);
