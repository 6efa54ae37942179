export { CookieJar } from './cookie-jar.ts';
export { type Credentials, chooseForm, type FormChoice, pageText } from './forms.ts';
export { type FetchLike, type HeadlessFailure, type HeadlessPage, type HeadlessResult, type HeadlessStep, type NavigateOptions, navigate } from './navigate.ts';
export * from './sign-in.ts';
