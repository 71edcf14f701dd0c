/**
 * The simulated day's clock, shared by the gateway and the simulated terminals so that request
 * times, receipt times and business days follow the day being simulated. It only moves forward.
 */
export class SimClock {
  #at: number;

  constructor(start: Date) {
    this.#at = start.getTime();
  }

  readonly now = (): Date => new Date(this.#at);

  advanceTo(at: Date): void {
    if (at.getTime() > this.#at) this.#at = at.getTime();
  }
}
