import React, { useState } from 'react';

import { getEndpoints, getProcesses } from '../api';
import { EndpointPicker } from './EndpointPicker';
import { Status } from './Status';
import { useRemote } from './useRemote';

/**
 * The "What-if scenarios" panel: the processes of the selected endpoint.
 */
export function ScenarioPanel(): JSX.Element {
  const endpoints = useRemote(getEndpoints, []);
  const [chosen, setChosen] = useState<string | null>(null);
  const name = chosen ?? endpoints.data?.default ?? null;
  const processes = useRemote(name === null ? null : () => getProcesses(name), [
    name
  ]);

  return (
    <section className="dtolab-Panel" aria-label="What-if scenarios">
      <h2 className="dtolab-Panel-title">What-if scenarios</h2>
      <Status
        loading={endpoints.loading}
        error={endpoints.error}
        what="endpoints"
        onRetry={endpoints.reload}
      />
      {endpoints.data && name !== null && (
        <>
          <EndpointPicker
            endpoints={endpoints.data.endpoints}
            value={name}
            service="processes"
            onChange={setChosen}
          />
          <Status
            loading={processes.loading}
            error={processes.error}
            what="processes"
            onRetry={processes.reload}
          />
          {processes.data && (
            <ul className="dtolab-List" aria-label="Processes">
              {processes.data.processes.length === 0 && (
                <li className="dtolab-List-item">
                  This endpoint offers no process.
                </li>
              )}
              {processes.data.processes.map(p => (
                <li key={p.id} className="dtolab-List-item">
                  <span className="dtolab-List-title">{p.title}</span>
                  <span className="dtolab-List-meta">
                    <code>{p.id}</code>
                    {p.version ? ` v${p.version}` : ''}
                  </span>
                  <span className="dtolab-List-description">
                    {p.description}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
