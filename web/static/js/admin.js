// The admin page: a council's short address suggested from its Cyrillic name, by the official
// Bulgarian transliteration (Закон за транслитерацията, 2009), until the admin types one.

const LETTERS = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k',
  л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'h',
  ц: 'ts', ч: 'ch', ш: 'sh', щ: 'sht', ъ: 'a', ь: 'y', ю: 'yu', я: 'ya',
};

/** transliterate writes Bulgarian text in Latin letters by the law's table; "ия" at the end of
 * a word is "ia" (София → Sofia), and the country's name is the law's exception: България →
 * Bulgaria, not Balgaria. */
export function transliterate(text) {
  return String(text).toLowerCase()
    .replace(/(?<![\p{L}])българия(?![\p{L}])/gu, 'bulgaria')
    .replace(/ия(?![\p{L}])/gu, 'ia')
    .replace(/[\u0400-\u04ff]/g, (c) => LETTERS[c] ?? '');
}

/** slugify makes a short address: Latin letters, digits and single hyphens, at most 60. */
export function slugify(name) {
  return transliterate(name)
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

const name = document.getElementById('c-name');
const slug = document.getElementById('c-slug');
if (name && slug) {
  let typed = slug.value !== '';
  slug.addEventListener('input', () => { typed = slug.value !== ''; });
  name.addEventListener('input', () => {
    if (!typed) slug.value = slugify(name.value);
  });
  slug.closest('form')?.addEventListener('reset', () => { typed = false; });
}
