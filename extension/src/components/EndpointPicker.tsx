import React from 'react';

import { IEndpoint } from '../api';

/**
 * A labelled selector of the configured endpoints, listing those that offer `service`.
 */
export function EndpointPicker(props: {
  endpoints: IEndpoint[];
  value: string;
  service: 'stac' | 'processes';
  onChange: (name: string) => void;
}): JSX.Element {
  const usable = props.endpoints.filter(e => e[props.service] !== null);
  return (
    <label className="dtolab-EndpointPicker">
      <span>Endpoint</span>
      <select
        value={props.value}
        onChange={event => props.onChange(event.target.value)}
      >
        {usable.map(e => (
          <option key={e.name} value={e.name} title={e[props.service] ?? ''}>
            {e.title}
          </option>
        ))}
      </select>
    </label>
  );
}
