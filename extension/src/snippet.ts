/**
 * The notebook code "Insert code" writes: the `dtolab` client opening the item the user is
 * looking at, with the variable, time, depth and box they chose.
 */
import { IEndpoint, IItemDetail } from './api';

/** Names a kernel resolves by itself (see dtolab.client.resolve); others are given by URL. */
const KNOWN_NAMES = new Set(['local', 'edito']);

export interface ISnippetOptions {
  variable?: string;
  time?: string;
  depth?: number;
  bbox?: number[] | null;
}

/** A Python string literal (JSON's escapes are valid Python). */
function py(value: string): string {
  return JSON.stringify(value);
}

export function pythonSnippet(
  endpoint: IEndpoint,
  item: IItemDetail,
  options: ISnippetOptions = {}
): string {
  const where = KNOWN_NAMES.has(endpoint.name)
    ? endpoint.name
    : (endpoint.stac ?? endpoint.name);
  const args = ['item'];
  if (options.variable) {
    args.push(`variables=[${py(options.variable)}]`);
  }
  if (options.bbox) {
    args.push(`bbox=[${options.bbox.join(', ')}]`);
  }
  if (options.time !== undefined && options.time !== '') {
    args.push(
      /^\d+$/.test(options.time)
        ? `time=${options.time}`
        : `time=${py(options.time)}`
    );
  }
  if (options.depth !== undefined) {
    args.push(`depth=${options.depth}`);
  }
  return [
    'import dtolab',
    '',
    `catalog = dtolab.Catalog(${py(where)})`,
    `item = catalog.item(${py(item.id)}, collection=${py(item.collection)})`,
    `# ${item.title}`,
    `ds = catalog.open_dataset(${args.join(', ')})`,
    'ds'
  ].join('\n');
}
