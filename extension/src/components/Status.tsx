import React from 'react';

/**
 * Loading and error states shared by the panels: a polite status, or an alert with a retry.
 */
export function Status(props: {
  loading: boolean;
  error: string | null;
  what: string;
  onRetry: () => void;
}): JSX.Element | null {
  if (props.loading) {
    return (
      <div className="dtolab-Status" role="status">
        Loading {props.what}…
      </div>
    );
  }
  if (props.error !== null) {
    return (
      <div className="dtolab-Error" role="alert">
        <p>
          Could not load {props.what}: {props.error}
        </p>
        <button className="jp-mod-styled" onClick={props.onRetry}>
          Retry
        </button>
      </div>
    );
  }
  return null;
}
