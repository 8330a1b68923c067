/**
 * The script each pool thread runs (piscina loads it and calls the export
 * named by a task). Bundled on its own by the backend build and embedded in
 * the executable; see pool.ts.
 */
export { dbscanRange, inspectModel, scoreChunk, trainTask } from './tasks';
