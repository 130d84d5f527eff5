import { useCallback, useEffect, useState } from 'react';

/**
 * The state of one request: loading, failed with a message, or done with data.
 */
export interface IRemote<T> {
  loading: boolean;
  error: string | null;
  data: T | null;
  reload: () => void;
}

/**
 * Run `load` whenever `deps` change; stale answers (from an older request) are dropped.
 */
export function useRemote<T>(
  load: (() => Promise<T>) | null,
  deps: unknown[]
): IRemote<T> {
  const [state, setState] = useState<Omit<IRemote<T>, 'reload'>>({
    loading: load !== null,
    error: null,
    data: null
  });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick(t => t + 1), []);

  useEffect(() => {
    if (load === null) {
      setState({ loading: false, error: null, data: null });
      return;
    }
    let current = true;
    setState(s => ({ ...s, loading: true, error: null }));
    load().then(
      data => {
        if (current) {
          setState({ loading: false, error: null, data });
        }
      },
      (error: Error) => {
        if (current) {
          setState({ loading: false, error: error.message, data: null });
        }
      }
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);

  return { ...state, reload };
}
