// The shop page: talks to the gateway's JSON API (/api/v1), keeps the bearer token in sessionStorage.
"use strict";

const api = "/api/v1";
const pageSize = 10;
const state = { page: 1, query: "", total: 0, token: sessionStorage.getItem("token"), user: sessionStorage.getItem("user") };

const $ = (id) => document.getElementById(id);
const money = (cents) => (cents / 100).toFixed(2);

// call sends a request to the API and returns the decoded JSON, or throws an Error with the API's message.
async function call(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (state.token) headers["Authorization"] = "Bearer " + state.token;
  const resp = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    if (resp.status === 401 && state.token) setSession(null, null);
    const err = new Error((data.error && data.error.message) || resp.statusText);
    err.code = data.error && data.error.code;
    throw err;
  }
  return data;
}

function say(text, kind) {
  const m = $("message");
  m.textContent = text;
  m.className = kind || "";
}

function cell(row, text, small) {
  const td = row.insertCell();
  td.textContent = text;
  if (small) {
    const s = document.createElement("small");
    s.textContent = small;
    td.appendChild(s);
  }
  return td;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

async function loadItems() {
  const q = new URLSearchParams({ page: state.page, page_size: pageSize, q: state.query });
  try {
    const data = await call("GET", "/items?" + q);
    state.total = data.total;
    const body = $("items");
    body.replaceChildren();
    for (const it of data.items) {
      const row = body.insertRow();
      cell(row, it.title, it.description);
      cell(row, money(it.price_cents));
      cell(row, String(it.stock));
      const add = button("Add to cart", () => addToCart(it.id));
      add.disabled = !state.token || it.stock === 0;
      row.insertCell().appendChild(add);
    }
    const pages = Math.max(1, Math.ceil(state.total / pageSize));
    $("page-info").textContent = `page ${state.page} of ${pages} (${state.total} items)`;
    $("prev").disabled = state.page <= 1;
    $("next").disabled = state.page >= pages;
  } catch (e) {
    say("Could not load the items: " + e.message, "error");
  }
}

function showCart(cart) {
  const body = $("cart-lines");
  body.replaceChildren();
  for (const line of cart.items) {
    const row = body.insertRow();
    cell(row, line.title);
    cell(row, money(line.price_cents));
    const qty = document.createElement("input");
    qty.type = "number";
    qty.min = 0;
    qty.max = 999;
    qty.value = line.quantity;
    qty.addEventListener("change", () => setQuantity(line.item_id, Number(qty.value)));
    row.insertCell().appendChild(qty);
    row.insertCell().appendChild(button("Remove", () => cartAction("DELETE", "/cart/items/" + line.item_id)));
  }
  $("cart-total").textContent = money(cart.total_cents);
  const empty = cart.items.length === 0;
  $("cart-table").hidden = empty;
  $("checkout").hidden = empty;
  $("cart-hint").hidden = !empty;
  $("cart-hint").textContent = "Your cart is empty.";
}

async function cartAction(method, path, body) {
  try {
    showCart(await call(method, path, body));
    return true;
  } catch (e) {
    say(e.message, "error");
    return false;
  }
}

async function addToCart(itemID) {
  if (await cartAction("POST", "/cart/items", { item_id: itemID, quantity: 1 })) say("Added to the cart.", "ok");
}

function setQuantity(itemID, quantity) {
  if (!Number.isInteger(quantity) || quantity < 0 || quantity > 999) {
    say("A quantity is a whole number from 0 to 999.", "error");
    return;
  }
  cartAction("PUT", "/cart/items/" + itemID, { quantity });
}

async function checkout() {
  try {
    const order = await call("POST", "/cart/checkout");
    const box = $("order");
    box.hidden = false;
    box.textContent = `Order ${order.order_id}: ${order.items.length} line(s), total ${money(order.total_cents)}.`;
    say("Thank you for your order.", "ok");
    showCart({ items: [], total_cents: 0 });
    loadItems();
  } catch (e) {
    say(e.message, "error");
  }
}

function setSession(token, user) {
  state.token = token;
  state.user = user;
  if (token) {
    sessionStorage.setItem("token", token);
    sessionStorage.setItem("user", user);
  } else {
    sessionStorage.removeItem("token");
    sessionStorage.removeItem("user");
  }
  $("login-form").hidden = !!token;
  $("session").hidden = !token;
  $("who").textContent = user || "";
  if (!token) {
    $("cart-table").hidden = true;
    $("checkout").hidden = true;
    $("cart-hint").hidden = false;
    $("cart-hint").textContent = "Log in to use the cart.";
  }
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const username = $("username").value;
  try {
    const data = await call("POST", "/login", { username, password: $("password").value });
    setSession(data.token, username);
    $("password").value = "";
    say("Welcome, " + username + ".", "ok");
    await cartAction("GET", "/cart");
    loadItems();
  } catch (e) {
    say(e.message, "error");
  }
});

$("logout").addEventListener("click", () => {
  setSession(null, null);
  say("Logged out.");
  loadItems();
});

$("search-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  state.query = $("query").value;
  state.page = 1;
  loadItems();
});

$("prev").addEventListener("click", () => { state.page--; loadItems(); });
$("next").addEventListener("click", () => { state.page++; loadItems(); });
$("checkout").addEventListener("click", checkout);

setSession(state.token, state.user);
if (state.token) cartAction("GET", "/cart");
loadItems();
