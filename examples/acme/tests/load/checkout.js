import http from 'k6/http';
import { check } from 'k6';

export const options = {
  vus: 20,
  duration: '2m',
  thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<300'] },
};

export default function () {
  const res = http.get(`${__ENV.BASE_URL}/orders/o-1`);
  check(res, { 'status is 200 or 404': (r) => r.status === 200 || r.status === 404 });
}
