// Public API of series assembly: group patches into series, newest version first.

export { assembleSeries } from './series.ts';
export type { Series, SeriesVersion } from './series.ts';
export { parseSubject, titleKey } from '../sources/subject.ts';
export type { ParsedSubject } from '../sources/subject.ts';
