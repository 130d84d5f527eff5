/**
 * Typed calls to the server extension; the interfaces mirror the Python handlers' JSON
 * (server/dtolab/client/*.py and docs/rest-api.yaml).
 */
import { requestAPI, requestRaw } from './request';

export interface IEndpoint {
  name: string;
  title: string;
  stac: string | null;
  processes: string | null;
  free_text: boolean;
  authenticated: boolean;
}

export interface IEndpointList {
  default: string;
  page_size: number;
  endpoints: IEndpoint[];
}

export interface ICollectionSummary {
  id: string;
  title: string;
  description: string;
  license: string | null;
  keywords: string[];
  bbox: number[] | null;
  interval: (string | null)[] | null;
}

export interface ICollectionList {
  endpoint: string;
  collections: ICollectionSummary[];
  matched: number | null;
  text_search: 'server' | 'client' | null;
}

export interface IProcessSummary {
  id: string;
  title: string;
  description: string;
  version: string | null;
  keywords: string[];
  jobControlOptions: string[];
}

export interface IProcessList {
  endpoint: string;
  processes: IProcessSummary[];
}

export function getVersion(): Promise<{ version: string }> {
  return requestAPI('version');
}

export function getEndpoints(): Promise<IEndpointList> {
  return requestAPI('endpoints');
}

export function getCollections(
  endpoint: string,
  q?: string
): Promise<ICollectionList> {
  return requestAPI(`endpoints/${encodeURIComponent(endpoint)}/collections`, {
    q
  });
}

export function getProcesses(endpoint: string): Promise<IProcessList> {
  return requestAPI(`endpoints/${encodeURIComponent(endpoint)}/processes`);
}

export interface IItemSummary {
  id: string;
  collection: string;
  title: string;
  datetime: string | null;
  start_datetime: string | null;
  end_datetime: string | null;
  bbox: number[] | null;
  assets: string[];
}

export interface IItemPage {
  endpoint: string;
  items: IItemSummary[];
  matched: number | null;
  next: string | null;
  text_search: 'server' | 'client' | null;
}

export interface ISearch {
  q?: string;
  collections?: string[];
  bbox?: number[] | null;
  start?: string;
  end?: string;
  limit?: number;
  cursor?: string | null;
}

export interface IVariable {
  name: string;
  unit: string | null;
  standard_name: string | null;
  description: string | null;
  dimensions: string[];
}

export interface IDimension {
  name: string;
  type: string | null;
  axis: string | null;
  unit: string | null;
  range: (string | number)[] | null;
  step: number | null;
  values: (string | number)[] | null;
}

export interface IAssetInfo {
  key: string;
  title: string;
  type: string | null;
  roles: string[];
  href: string;
  layout: string | null;
  note: string | null;
}

export interface IItemDetail extends Omit<IItemSummary, 'assets'> {
  description: string;
  license: string | null;
  keywords: string[];
  provenance: Record<string, unknown> | null;
  variable: string | null;
  variables: IVariable[];
  dimensions: IDimension[];
  resolution: { lon: number | null; lat: number | null } | null;
  assets: IAssetInfo[];
  stac_url: string | null;
  previewable: boolean;
}

export interface IPreviewMeta {
  variable: string;
  long_name: string;
  units: string;
  colormap: string;
  colors: string[];
  vmin: number;
  vmax: number;
  bbox: number[];
  width: number;
  height: number;
  coverage: number;
  time?: string | number;
  depth?: number;
  depth_units?: string;
}

export interface IPreview {
  url: string;
  meta: IPreviewMeta;
}

export interface IPreviewRequest {
  variable?: string;
  time?: string;
  depth?: number;
  bbox?: number[] | null;
  width?: number;
}

/** Interval for STAC `datetime` from two optional dates (YYYY-MM-DD); open ends are "..". */
function interval(start?: string, end?: string): string | undefined {
  if (!start && !end) {
    return undefined;
  }
  const from = start ? `${start}T00:00:00Z` : '..';
  const to = end ? `${end}T23:59:59Z` : '..';
  return `${from}/${to}`;
}

export function searchItems(
  endpoint: string,
  search: ISearch
): Promise<IItemPage> {
  return requestAPI(`endpoints/${encodeURIComponent(endpoint)}/search`, {
    q: search.q,
    collections: search.collections?.join(','),
    bbox: search.bbox?.join(','),
    datetime: interval(search.start, search.end),
    limit: search.limit,
    cursor: search.cursor ?? undefined
  });
}

function itemPath(endpoint: string, collection: string, item: string): string {
  return [
    'endpoints',
    encodeURIComponent(endpoint),
    'collections',
    encodeURIComponent(collection),
    'items',
    encodeURIComponent(item)
  ].join('/');
}

export function getItem(
  endpoint: string,
  collection: string,
  item: string
): Promise<IItemDetail> {
  return requestAPI(itemPath(endpoint, collection, item));
}

/**
 * Render a preview on the server; the image comes back as an object URL (revoke it when done)
 * and what was drawn (range, units, colours, the time and depth chosen) as `meta`.
 */
export async function getPreview(
  endpoint: string,
  collection: string,
  item: string,
  request: IPreviewRequest
): Promise<IPreview> {
  const response = await requestRaw(
    `${itemPath(endpoint, collection, item)}/preview`,
    {
      variable: request.variable,
      time: request.time,
      depth: request.depth,
      bbox: request.bbox?.join(','),
      width: request.width
    }
  );
  const meta = JSON.parse(
    response.headers.get('X-Dtolab-Preview') ?? '{}'
  ) as IPreviewMeta;
  return { url: URL.createObjectURL(await response.blob()), meta };
}
