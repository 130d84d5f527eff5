import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * An error answered by the dtolab server extension, with its readable message.
 */
export class DtolabRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string
  ) {
    super(message);
    this.name = 'DtolabRequestError';
  }
}

function parse(text: string): unknown {
  if (text.length === 0) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Call the dtolab server extension and return the successful response as it is (for images);
 * an error answer becomes a DtolabRequestError with the server's message.
 *
 * @param endPoint path below `dtolab/api`, e.g. `endpoints/local/collections`
 * @param query query parameters (undefined values are left out)
 */
export async function requestRaw(
  endPoint: string,
  query: Record<string, string | number | undefined> = {},
  init: RequestInit = {}
): Promise<Response> {
  const settings = ServerConnection.makeSettings();
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') {
      params.set(key, String(value));
    }
  }
  const search = params.toString();
  const url =
    URLExt.join(settings.baseUrl, 'dtolab', 'api', endPoint) +
    (search ? `?${search}` : '');

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new DtolabRequestError(
      `Cannot reach the Jupyter server: ${String(error)}`,
      0
    );
  }
  if (!response.ok) {
    const body = (parse(await response.text()) ?? {}) as {
      message?: string;
      field?: string;
    };
    throw new DtolabRequestError(
      body.message ?? `${response.status} ${response.statusText}`,
      response.status,
      body.field
    );
  }
  return response;
}

/**
 * Call the dtolab server extension: the one way the frontend talks to the server (JSON).
 */
export async function requestAPI<T>(
  endPoint: string,
  query: Record<string, string | number | undefined> = {},
  init: RequestInit = {}
): Promise<T> {
  const response = await requestRaw(endPoint, query, init);
  return parse(await response.text()) as T;
}
