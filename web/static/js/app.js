// Loaded on every page: forms that talk to the API, copy and print buttons.
import { wireForms } from './forms.js';

wireForms();
document.documentElement.classList.add('js');
