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

/**
 * Call the dtolab server extension: the one way the frontend talks to the server.
 *
 * @param endPoint path below `dtolab/api`, e.g. `endpoints/local/collections`
 * @param query query parameters (undefined values are left out)
 */
export async function requestAPI<T>(
  endPoint: string,
  query: Record<string, string | number | undefined> = {},
  init: RequestInit = {}
): Promise<T> {
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
  const text = await response.text();
  let data: unknown = undefined;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const body = (data ?? {}) as { message?: string; field?: string };
    throw new DtolabRequestError(
      body.message ?? `${response.status} ${response.statusText}`,
      response.status,
      body.field
    );
  }
  return data as T;
}
