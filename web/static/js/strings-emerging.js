// strings-emerging: the Turkish and English strings of the emerging hot spot
// view, its legend and popup, the cluster dynamics and the ranking component
// (merged into i18n's). Category names follow ArcGIS Pro's.

const cats = {
  en: {
    new: 'New', consecutive: 'Consecutive', intensifying: 'Intensifying', persistent: 'Persistent',
    diminishing: 'Diminishing', sporadic: 'Sporadic', oscillating: 'Oscillating', historical: 'Historical',
  },
  tr: {
    new: 'Yeni', consecutive: 'Ardışık', intensifying: 'Yoğunlaşan', persistent: 'Kalıcı',
    diminishing: 'Azalan', sporadic: 'Düzensiz', oscillating: 'Salınan', historical: 'Geçmiş',
  },
};

// categoryNames returns the names of the 17 categories in one language.
function categoryNames(lang) {
  const out = {};
  for (const [k, w] of Object.entries(cats[lang])) {
    out[`em.${k}_hot_spot`] = lang === 'en' ? `${w} hot spot` : `${w} sıcak nokta`;
    out[`em.${k}_cold_spot`] = lang === 'en' ? `${w} cold spot` : `${w} soğuk nokta`;
  }
  out['em.no_pattern'] = lang === 'en' ? 'No pattern' : 'Örüntü yok';
  return out;
}

export const emergingStrings = {
  en: {
    ...categoryNames('en'),
    'metric.emerging': 'Emerging hot spots',
    'comp.emerging': 'Emerging hot spots',
    emStep: 'Time step',
    'emStep.year': 'Year',
    'emStep.quarter': 'Quarter',
    'emStep.month': 'Month',
    'emSteps.year': 'Yearly',
    'emSteps.quarter': 'Quarterly',
    'emSteps.month': 'Monthly',
    emWindow: 'Time window (previous steps)',
    emFrom: 'From',
    emTo: 'To',
    emSpanHint: 'a year (2015), quarter (2015-Q2) or month (2015-04); empty: the last ten steps of the data',
    emLoading: 'Computing emerging hot spots…',
    emError: 'Emerging hot spots cannot be shown: {what}',
    emSummary: '{n} cells with a pattern among {total} drawn; {from} – {to}',
    emMethod: '{step} steps {from} – {to}, time window {window}; significant at p ≤ {alpha}{fdr}; H3 resolution {res}, k = {k}',
    emFdr: ' with the false discovery rate controlled',
    emFirms: '{counted} of {matched} firms counted; {undated} without a founding date ({rule})',
    'emRule.present': 'counted from the first step',
    'emRule.omit': 'left out',
    emMethodNote: 'ArcGIS Pro’s Emerging Hot Spot Analysis: Gi* per cell and step, the Mann-Kendall trend of each cell’s z-scores',
    emCategory: 'Pattern',
    emTrend: 'Trend z (Mann-Kendall)',
    emTrendP: 'Trend p',
    emTau: 'Kendall’s tau',
    emFinalBin: 'Last step',
    dynamicsTitle: 'Emerging, persistent or diminishing?',
    dynamicsLoading: 'Reading the cluster’s cells over time…',
    dynamicsError: 'The cluster’s dynamics cannot be shown: {what}',
    dynamicsShow: 'Show emerging hot spots on the map',
    'dominant.emerging': 'Mostly emerging',
    'dominant.persistent': 'Mostly persistent',
    'dominant.diminishing': 'Mostly diminishing',
    'dominant.intermittent': 'Mostly on and off',
    'dominant.none': 'No hot spot pattern',
    'group.emerging': 'Emerging (new, consecutive, intensifying)',
    'group.persistent': 'Persistent',
    'group.diminishing': 'Diminishing or historical',
    'group.intermittent': 'Sporadic or oscillating',
    'group.cold': 'Cold spots',
    'group.none': 'No pattern',
  },
  tr: {
    ...categoryNames('tr'),
    'metric.emerging': 'Yükselen sıcak noktalar',
    'comp.emerging': 'Yükselen sıcak noktalar',
    emStep: 'Zaman adımı',
    'emStep.year': 'Yıl',
    'emStep.quarter': 'Çeyrek',
    'emStep.month': 'Ay',
    'emSteps.year': 'Yıllık',
    'emSteps.quarter': 'Üç aylık',
    'emSteps.month': 'Aylık',
    emWindow: 'Zaman penceresi (önceki adımlar)',
    emFrom: 'Başlangıç',
    emTo: 'Bitiş',
    emSpanHint: 'bir yıl (2015), çeyrek (2015-Q2) ya da ay (2015-04); boş: verinin son on adımı',
    emLoading: 'Yükselen sıcak noktalar hesaplanıyor…',
    emError: 'Yükselen sıcak noktalar gösterilemiyor: {what}',
    emSummary: 'Çizilen {total} hücreden {n} tanesinde örüntü var; {from} – {to}',
    emMethod: '{step} adımlar {from} – {to}, zaman penceresi {window}; anlamlılık p ≤ {alpha}{fdr}; H3 çözünürlüğü {res}, k = {k}',
    emFdr: ', yanlış keşif oranı denetimiyle',
    emFirms: '{matched} firmadan {counted} tanesi sayıldı; {undated} firmanın kuruluş tarihi yok ({rule})',
    'emRule.present': 'ilk adımdan itibaren sayıldı',
    'emRule.omit': 'hesaba katılmadı',
    emMethodNote: 'ArcGIS Pro’nun Yükselen Sıcak Nokta Analizi: her hücre ve adım için Gi*, her hücrenin z değerlerinde Mann-Kendall eğilimi',
    emCategory: 'Örüntü',
    emTrend: 'Eğilim z (Mann-Kendall)',
    emTrendP: 'Eğilim p',
    emTau: 'Kendall tau',
    emFinalBin: 'Son adım',
    dynamicsTitle: 'Yükselen mi, kalıcı mı, azalan mı?',
    dynamicsLoading: 'Kümenin hücreleri zaman içinde okunuyor…',
    dynamicsError: 'Kümenin zaman içindeki durumu gösterilemiyor: {what}',
    dynamicsShow: 'Yükselen sıcak noktaları haritada göster',
    'dominant.emerging': 'Çoğunlukla yükselen',
    'dominant.persistent': 'Çoğunlukla kalıcı',
    'dominant.diminishing': 'Çoğunlukla azalan',
    'dominant.intermittent': 'Çoğunlukla düzensiz',
    'dominant.none': 'Sıcak nokta örüntüsü yok',
    'group.emerging': 'Yükselen (yeni, ardışık, yoğunlaşan)',
    'group.persistent': 'Kalıcı',
    'group.diminishing': 'Azalan ya da geçmiş',
    'group.intermittent': 'Düzensiz ya da salınan',
    'group.cold': 'Soğuk noktalar',
    'group.none': 'Örüntü yok',
  },
};
