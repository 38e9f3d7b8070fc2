/** Where a listening server can be reached. */
export interface ServerAddress {
  readonly address: string;
  readonly port: number;
  /** `http://host:port`, ready for a client. */
  readonly url: string;
}
