/**
 * Typed calls to the server extension; the interfaces mirror the Python handlers' JSON
 * (server/dtolab/client/*.py and docs/rest-api.yaml).
 */
import { requestAPI } from './request';

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
