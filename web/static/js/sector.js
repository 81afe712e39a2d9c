// sector: the search box over NACE sectors and value chains (an ARIA combobox).
import { optionalJSON, endpoints } from './api.js';
import { t, getLanguage, fmtNumber } from './i18n.js';
import { state, update } from './state.js';
import { el, clear, $ } from './dom.js';

let chains = [];
const names = new Map(); // sector key -> {en, tr}

function list(body, ...keys) {
  if (Array.isArray(body)) return body;
  for (const k of keys) if (Array.isArray(body?.[k])) return body[k];
  return [];
}

function nameOf(item) {
  const n = item.name;
  if (n && typeof n === 'object') return { en: n.en || n.tr || '', tr: n.tr || n.en || '' };
  return { en: item.name_en || n || '', tr: item.name_tr || item.name_en || n || '' };
}

export function sectorLabel(key) {
  if (!key) return t('allSectors');
  const n = names.get(key);
  const name = n ? n[getLanguage()] : '';
  if (key.startsWith('vc:')) return `${t('valueChain')}: ${name || key.slice(3)}`;
  return name ? `${key} — ${name}` : t('sectorUnknown', { code: key });
}

// sectorName is a sector's name alone, without its code ("" when unknown).
export function sectorName(key) {
  if (!key) return t('allSectors');
  const n = names.get(key);
  return n ? n[getLanguage()] || n.en : '';
}

// clusterDetails are a footprint's firm count and H3 resolution, for lists.
export function clusterDetails(c) {
  const parts = [];
  if (typeof c.firms === 'number') parts.push(t('nFirms', { n: fmtNumber(c.firms) }));
  if (c.res !== undefined && c.res !== null) parts.push(t('resShort', { res: c.res }));
  return parts.join(' · ');
}

// Synonyms: everyday words (English and Turkish) for sector codes, from
// data/sector-synonyms.json, searched before the taxonomy.
let synonyms = [];

export async function loadSynonyms() {
  const res = await fetch('data/sector-synonyms.json').catch(() => null);
  const body = res?.ok ? await res.json().catch(() => null) : null;
  synonyms = (body?.entries || []).map((e) => ({ terms: e.terms.map((x) => foldAny(x)), codes: e.codes }));
}

// foldAny folds case (Turkish dotted and dotless i alike) and diacritics, so
// "Yazılım", "yazilim" and "YAZILIM" meet.
export function foldAny(s) {
  return String(s).replace(/[İI]/g, 'i').replace(/ı/g, 'i').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').trim();
}

// synonymCodes returns the codes whose words match the query: a word that
// starts with it (three letters at least) or that the query contains whole.
export function synonymCodes(q) {
  const fq = foldAny(q);
  if (fq.length < 2) return [];
  const out = [];
  for (const e of synonyms) {
    const hit = e.terms.some((w) => (fq.length >= 3 && w.startsWith(fq)) || w === fq || (w.length >= 3 && ` ${fq} `.includes(` ${w} `)));
    if (hit) for (const c of e.codes) if (!out.includes(c)) out.push(c);
  }
  return out;
}

export async function loadValueChains() {
  const body = await optionalJSON(endpoints.valueChains).catch(() => undefined);
  chains = list(body, 'value_chains', 'items', 'data').map((c) => ({ key: `vc:${c.id}`, name: nameOf(c) }));
  for (const c of chains) names.set(c.key, c.name);
}

async function searchSectors(q, limit = 20) {
  const body = await optionalJSON(endpoints.sectors, { q, limit }).catch(() => undefined);
  const items = list(body, 'sectors', 'items', 'data').map((s) => ({ key: String(s.code), name: nameOf(s), level: s.level }));
  for (const s of items) names.set(s.key, s.name);
  return items;
}

// loadSubtree fetches the names of a sector and of the codes below it.
const subtrees = new Set();
export async function loadSubtree(code) {
  if (subtrees.has(code)) return;
  subtrees.add(code);
  await searchSectors(code, 100);
}

// resolveName fetches the name of a sector key that came in by link.
// It reports whether a new name was learned.
const tried = new Set();
export async function resolveName(key) {
  if (!key || names.has(key) || key.startsWith('vc:') || tried.has(key)) return false;
  tried.add(key);
  await searchSectors(key);
  return names.has(key);
}

function fold(s) { return s.toLocaleLowerCase(getLanguage() === 'tr' ? 'tr-TR' : 'en').normalize('NFD').replace(/\p{M}/gu, ''); }

export function initSectorSearch() {
  const input = $('#sector-input');
  const box = $('#sector-options');
  const clearBtn = $('#sector-clear');
  let options = [];
  let active = -1;
  let seq = 0;
  let timer = 0;

  const close = () => {
    box.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const choose = (key) => {
    close();
    update({ sector: key, cluster: '' });
    input.value = key ? sectorLabel(key) : '';
  };
  const render = () => {
    clear(box);
    if (!options.length) {
      box.append(el('li', { class: 'empty', role: 'option', 'aria-disabled': 'true' }, t('noMatches')));
    }
    options.forEach((o, i) => {
      const n = o.name[getLanguage()] || o.name.en;
      const label = o.key.startsWith('vc:') ? `${t('valueChain')}: ${n}` : `${o.key} — ${n}`;
      box.append(el('li', {
        id: `sector-opt-${i}`, role: 'option', 'aria-selected': i === active ? 'true' : 'false',
        'data-key': o.key, class: i === active ? 'active' : '',
        onmousedown: (e) => { e.preventDefault(); choose(o.key); },
      }, label));
    });
    box.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (active >= 0) input.setAttribute('aria-activedescendant', `sector-opt-${active}`);
  };
  const search = async () => {
    const q = input.value.trim();
    const my = ++seq;
    const fq = fold(q);
    const vc = chains.filter((c) => !q || fold(c.name.en).includes(fq) || fold(c.name.tr).includes(fq) || c.key.includes(fq));
    // Everyday words first ("software", "yazılım" → 62), then chains and
    // the taxonomy's own matches.
    const syn = q ? synonymCodes(q) : [];
    const [sectors] = await Promise.all([q ? searchSectors(q) : [], ...syn.filter((k) => !k.startsWith('vc:')).map((k) => resolveName(k).catch(() => {}))]);
    if (my !== seq) return;
    const synOptions = syn.map((k) => (k.startsWith('vc:') ? chains.find((c) => c.key === k) : names.has(k) ? { key: k, name: names.get(k) } : null)).filter(Boolean);
    const seen = new Set();
    options = [...synOptions, ...vc, ...sectors].filter((o) => !seen.has(o.key) && seen.add(o.key)).slice(0, 30);
    active = -1;
    render();
  };

  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 200); });
  input.addEventListener('focus', () => { if (!input.value || input.value === sectorLabel(state.sector)) input.select(); });
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (box.hidden) { search(); return; }
      const n = options.length;
      if (!n) return;
      active = (active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      render();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (active >= 0 && options[active]) choose(options[active].key);
      else if (options.length === 1) choose(options[0].key);
    } else if (e.key === 'Escape') {
      close();
      input.value = state.sector ? sectorLabel(state.sector) : '';
    }
  });
  clearBtn.addEventListener('click', () => choose(''));
}

export function showSector() {
  const input = $('#sector-input');
  if (document.activeElement !== input) input.value = state.sector ? sectorLabel(state.sector) : '';
  $('#sector-current').textContent = sectorLabel(state.sector);
}
