import { isStorageFailure } from './storage-failure';

const named = (name: string) => Object.assign(new Error('x'), { name });

test("Prisma's and its driver adapter's errors are storage failures", () => {
  expect(isStorageFailure(named('PrismaClientKnownRequestError'))).toBe(true);
  expect(isStorageFailure(named('PrismaClientInitializationError'))).toBe(true);
  expect(isStorageFailure(named('DriverAdapterError'))).toBe(true);
});

test('a fault of our own is not', () => {
  expect(isStorageFailure(new TypeError('cannot read properties of undefined'))).toBe(false);
  expect(isStorageFailure(new Error('x'))).toBe(false);
  expect(isStorageFailure(undefined)).toBe(false);
});
